using Microsoft.Extensions.Options;
using RotationEngine;
using RotationEngine.DependencyInjection;
using RotationEngine.Redis;

// The builder's namespace, so that the extension is found wherever the builder is.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Selects the Redis family store.</summary>
public static class RedisRotationEngineBuilderExtensions
{
    /// <summary>Keeps families in Redis on the server <paramref name="configuration"/> names (a StackExchange.Redis
    /// configuration string), with the default key prefix and the engine's retention.</summary>
    public static RotationEngineBuilder UseRedisStore(this RotationEngineBuilder builder, string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        return builder.UseRedisStore(options => options.Configuration = configuration);
    }

    /// <summary>Keeps families in Redis as <paramref name="configure"/> describes (configuration string or a
    /// host-owned connection, database, key prefix, retention — the engine's unless set).</summary>
    public static RotationEngineBuilder UseRedisStore(this RotationEngineBuilder builder, Action<RedisFamilyStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new RedisFamilyStoreOptions();
        configure(options);
        return builder.UseStore(services =>
        {
            options.Retention ??= services.GetService<IOptions<RotationEngineOptions>>()?.Value.Retention;
            return new RedisFamilyStore(options);
        });
    }
}
