using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RotationEngine.AspNetCore.Binding;
using RotationEngine.AspNetCore.DPoP;
using RotationEngine.DependencyInjection;
using RotationEngine.DPoP;

// The conventional namespace for IServiceCollection extensions, so that they are found without a using.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers DPoP (RFC 9449) at the token endpoints.</summary>
public static class DPoPServiceCollectionExtensions
{
    /// <summary>
    /// Binds refresh tokens to DPoP keys: the token and cookie endpoints validate the <c>DPoP</c> header
    /// (<see cref="DPoPProofValidator"/>) and pass the key's RFC 7638 thumbprint to the engine as the binding. Registers
    /// <see cref="DPoPOptions"/> (validated at start-up), the proof validator, the nonces and, unless another is
    /// registered (for example by <c>UseSqliteDPoPReplayCache()</c>), an <see cref="InMemoryDPoPReplayCache"/> —
    /// right for one instance only. Replaces the default (unbound) <see cref="IRefreshTokenBindingSource"/>.
    /// </summary>
    /// <param name="builder">The engine's builder.</param>
    /// <param name="configure">Changes the options.</param>
    public static RotationEngineBuilder AddDPoP(this RotationEngineBuilder builder, Action<DPoPOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<DPoPOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DPoPOptions>, DPoPOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IDPoPReplayCache>(_ => new InMemoryDPoPReplayCache());
        services.TryAddSingleton<DPoPNonces>();
        services.TryAddSingleton<DPoPProofValidator>();
        services.RemoveAll<IRefreshTokenBindingSource>();
        services.AddSingleton<IRefreshTokenBindingSource, DPoPBindingSource>();
        return builder;
    }
}
