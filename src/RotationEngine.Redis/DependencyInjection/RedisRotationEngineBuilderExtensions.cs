using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RotationEngine;
using RotationEngine.DependencyInjection;
using RotationEngine.Redis;
using RotationEngine.Redis.Internal;

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
    /// host-owned connection, database, key prefix, retention — the engine's unless set). The options are validated
    /// when the host starts (<see cref="OptionsValidationException"/> naming the option and what it allows); the store
    /// then connects and loads its scripts.</summary>
    public static RotationEngineBuilder UseRedisStore(this RotationEngineBuilder builder, Action<RedisFamilyStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptionsWithValidateOnStart<RedisFamilyStoreOptions>()
            .Configure(configure)
            .PostConfigure<IOptions<RotationEngineOptions>>(static (options, engine) => options.Retention ??= engine.Value.Retention);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisFamilyStoreOptions>, RedisFamilyStoreOptionsValidator>());
        return builder.UseStore(services => new RedisFamilyStore(services.GetRequiredService<IOptions<RedisFamilyStoreOptions>>().Value));
    }
}
