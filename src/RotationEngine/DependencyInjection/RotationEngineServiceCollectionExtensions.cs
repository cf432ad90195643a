using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RotationEngine;
using RotationEngine.DependencyInjection;
using RotationEngine.Events;
using RotationEngine.Internal;
using RotationEngine.Keys;
using RotationEngine.Storage;

// The conventional namespace for IServiceCollection extensions, so that they are found without a using.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers the rotation engine.</summary>
public static class RotationEngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="RefreshTokenEngine"/> (singleton) with options validated at start-up, the key ring from
    /// <see cref="RotationEngineOptions.Keys"/> unless an <see cref="IKeyRing"/> is already registered, and
    /// <see cref="TimeProvider.System"/> unless a <see cref="TimeProvider"/> is. In a host, the engine is built and its
    /// store opened when the host starts. Choose a store on the builder. Calling it twice is harmless (the configure
    /// delegates add up).
    /// </summary>
    /// <remarks>With no key configured, the engine uses an ephemeral key only in the <c>Development</c> environment or
    /// with <see cref="RotationEngineOptions.AllowEphemeralKey"/>; otherwise it refuses to start.</remarks>
    public static RotationEngineBuilder AddRotationEngine(this IServiceCollection services, Action<RotationEngineOptions>? configure = null)
    {
        // Stryker disable once Statement : AddOptionsWithValidateOnStart, called next, throws the same ArgumentNullException for "services"
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptionsWithValidateOnStart<RotationEngineOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RotationEngineOptions>, RotationEngineOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IKeyRing>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RotationEngineOptions>>().Value;
            var development = sp.GetService<IHostEnvironment>()?.IsDevelopment() == true;
            return KeyRing.FromOptions(options)
                ?? (options.AllowEphemeralKey || development ? KeyRing.CreateEphemeral() : throw RefreshTokenEngine.NoKeyException());
        });
        services.TryAddSingleton(sp => new RefreshTokenEngine(
            sp.GetService<IFamilyStore>() ?? throw new InvalidOperationException(
                "No refresh-token store is registered: call UseInMemoryStore(), UseSqliteStore(…), UsePostgresStore(…), UseRedisStore(…) or UseStore(…) on the builder AddRotationEngine returns."),
            sp.GetRequiredService<IOptions<RotationEngineOptions>>().Value,
            sp.GetRequiredService<IKeyRing>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetServices<IRotationEventObserver>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RotationEngineStartup>());
        return new RotationEngineBuilder(services);
    }
}
