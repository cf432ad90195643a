using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RotationEngine.DependencyInjection;
using RotationEngine.DPoP;

namespace RotationEngine.Redis.DPoP;

/// <summary>Registers the Redis DPoP replay cache.</summary>
public static class RedisDPoPBuilderExtensions
{
    /// <summary>
    /// Keeps accepted DPoP proofs in the family store's Redis, under its key prefix (<see cref="RedisDPoPReplayCache"/>,
    /// keys <c>{KeyPrefix}dpop:…</c>), so that every instance on that server refuses a proof another instance
    /// accepted. Call after <c>UseRedisStore</c>; replaces any other <see cref="IDPoPReplayCache"/>.
    /// </summary>
    /// <param name="builder">The engine's builder.</param>
    public static RotationEngineBuilder UseRedisDPoPReplayCache(this RotationEngineBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<IDPoPReplayCache>();
        builder.Services.AddSingleton<IDPoPReplayCache>(sp => new RedisDPoPReplayCache(sp.GetRequiredService<IOptions<RedisFamilyStoreOptions>>().Value));
        return builder;
    }
}
