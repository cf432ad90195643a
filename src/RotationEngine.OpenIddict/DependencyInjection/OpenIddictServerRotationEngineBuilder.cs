using System.ComponentModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RotationEngine.OpenIddict;

// The conventional namespace for OpenIddict's builders, so that they are found without a using.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Configures the RotationEngine integration of OpenIddict's server (returned by <c>UseRotationEngine</c>).</summary>
public sealed class OpenIddictServerRotationEngineBuilder
{
    internal OpenIddictServerRotationEngineBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public IServiceCollection Services { get; }

    /// <summary>Amends the integration's options.</summary>
    public OpenIddictServerRotationEngineBuilder Configure(Action<OpenIddictServerRotationEngineOptions> configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        Services.Configure(configuration);
        return this;
    }

    /// <summary>Rebuilds the principal of every refresh from the user store (scoped; replaces an earlier one).</summary>
    /// <typeparam name="TRebuilder">The rebuilder.</typeparam>
    public OpenIddictServerRotationEngineBuilder AddPrincipalRebuilder<TRebuilder>()
        where TRebuilder : class, IRefreshPrincipalRebuilder
    {
        Services.Replace(ServiceDescriptor.Scoped<IRefreshPrincipalRebuilder, TRebuilder>());
        return this;
    }

    /// <summary>Accepts the refresh tokens OpenIddict issued before the switch and answers them with engine tokens
    /// (<see cref="LegacyRefreshTokens.Migrate"/>), so that sessions survive the switch.</summary>
    public OpenIddictServerRotationEngineBuilder MigrateOpenIddictRefreshTokens() =>
        Configure(static options => options.LegacyRefreshTokens = LegacyRefreshTokens.Migrate);
}
