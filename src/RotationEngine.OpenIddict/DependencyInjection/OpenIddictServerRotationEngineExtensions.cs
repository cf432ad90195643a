using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using RotationEngine.OpenIddict;
using RotationEngine.OpenIddict.Handlers;
using RotationEngine.OpenIddict.Internal;

// The conventional namespace for OpenIddict's builder extensions, so that they are found without a using.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Makes OpenIddict's server issue, validate, rotate, introspect and revoke refresh tokens through
/// RotationEngine.</summary>
public static class OpenIddictServerRotationEngineExtensions
{
    /// <summary>
    /// Serves OpenIddict's refresh tokens from the <see cref="RotationEngine.RefreshTokenEngine"/> registered with
    /// <c>services.AddRotationEngine(…)</c>: one row per sign-in instead of one per refresh token, rotation on every
    /// refresh with a grace rule that converges concurrent refreshes on one token, reuse detection that revokes the
    /// family and its OpenIddict authorization. Authorizations, access and identity tokens stay OpenIddict's. Calling
    /// it twice is harmless.
    /// </summary>
    /// <exception cref="InvalidOperationException">At start-up, when rolling refresh tokens are disabled
    /// (<c>DisableRollingRefreshTokens</c>): the engine rotates every refresh token.</exception>
    public static OpenIddictServerRotationEngineBuilder UseRotationEngine(this OpenIddictServerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (!services.Any(static d => d.ServiceType == typeof(Marker)))
        {
            services.AddSingleton<Marker>();
            services.AddOptions<OpenIddictServerRotationEngineOptions>().ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OpenIddictServerRotationEngineOptions>, OptionsValidator>());
            services.AddOptions<OpenIddictServerOptions>().ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OpenIddictServerOptions>, ServerOptionsCheck>());
            services.TryAddSingleton<ValidateReferenceTokenUnlessValidated.RequireNoPrincipal>();
            services.TryAddSingleton<RevokeTokenUnlessEngineToken.RequireNoEngineRevocation>();
            foreach (var replaced in RotationEngineServerHandlers.ReplacedHandlers)
            {
                builder.RemoveEventHandler(replaced);
            }

            foreach (var descriptor in RotationEngineServerHandlers.DefaultHandlers)
            {
                builder.AddEventHandler(descriptor);
            }
        }

        return new OpenIddictServerRotationEngineBuilder(services);
    }

    /// <summary>As <see cref="UseRotationEngine(OpenIddictServerBuilder)"/>, then configures the integration.</summary>
    public static OpenIddictServerBuilder UseRotationEngine(this OpenIddictServerBuilder builder, Action<OpenIddictServerRotationEngineBuilder> configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration(builder.UseRotationEngine());
        return builder;
    }

    /// <summary>Marks the services as configured (a second call adds nothing).</summary>
    private sealed class Marker;
}
