using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RotationEngine.DependencyInjection;
using RotationEngine.DPoP;

namespace RotationEngine.Postgres.DPoP;

/// <summary>Registers the PostgreSQL DPoP replay cache.</summary>
public static class PostgresDPoPBuilderExtensions
{
    /// <summary>
    /// Keeps accepted DPoP proofs in the family store's PostgreSQL database (<see cref="PostgresDPoPReplayCache"/>, table
    /// <c>{TableName}_dpop_proofs</c>), so that every instance on that database refuses a proof another instance
    /// accepted. Call after <c>UsePostgresStore</c>; replaces any other <see cref="IDPoPReplayCache"/>.
    /// </summary>
    /// <param name="builder">The engine's builder.</param>
    public static RotationEngineBuilder UsePostgresDPoPReplayCache(this RotationEngineBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<IDPoPReplayCache>();
        builder.Services.AddSingleton<IDPoPReplayCache>(sp => new PostgresDPoPReplayCache(sp.GetRequiredService<IOptions<PostgresFamilyStoreOptions>>().Value));
        return builder;
    }
}
