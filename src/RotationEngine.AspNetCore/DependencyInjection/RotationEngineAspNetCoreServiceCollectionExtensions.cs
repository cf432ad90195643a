using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RotationEngine;
using RotationEngine.AspNetCore;
using RotationEngine.AspNetCore.Binding;
using RotationEngine.AspNetCore.Clients;
using RotationEngine.AspNetCore.Endpoints;
using RotationEngine.AspNetCore.Hosting;
using RotationEngine.AspNetCore.Internal;
using RotationEngine.DependencyInjection;

// The conventional namespace for IServiceCollection extensions, so that they are found without a using.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers the rotation engine with its ASP.NET Core endpoints.</summary>
public static class RotationEngineAspNetCoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers the engine (as <c>AddRotationEngine(Action)</c> does) with its options bound from
    /// <paramref name="configuration"/>, and the endpoints' services (<see cref="AddRotationEndpoints"/>) with theirs.
    /// Keys of the section: <c>Keys</c>, <c>CurrentKeyId</c>, <c>AllowEphemeralKey</c>, <c>Retention</c>,
    /// <c>PruneBatchSize</c>, <c>DefaultPolicy</c>, <c>ClientPolicies:&lt;client&gt;</c> (each starts from the
    /// configured default policy and changes only what it names), <c>Clients:&lt;client&gt;</c>, <c>Endpoints</c>
    /// and <c>Pruning</c>. An unknown policy key stops the start with its name.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The section, for example <c>builder.Configuration.GetSection("RotationEngine")</c>.</param>
    public static RotationEngineBuilder AddRotationEngine(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddRotationEngine(options => EngineConfiguration.Bind(configuration, options));
        services.Configure<RotationEndpointOptions>(configuration.GetSection("Endpoints"));
        services.Configure<PruningOptions>(configuration.GetSection("Pruning"));
        services.Configure<RotationClientsOptions>(options => EngineConfiguration.BindClients(configuration.GetSection("Clients"), options));
        return builder.AddRotationEndpoints();
    }

    /// <summary>
    /// Registers what <c>MapRotationEndpoints</c> needs: endpoint options (validated at start-up), the client registry
    /// (an <see cref="InMemoryClientRegistry"/> from <see cref="RotationClientsOptions"/> unless you register an
    /// <see cref="IClientRegistry"/>), the binding source (none unless you register an <see cref="IRefreshTokenBindingSource"/>)
    /// and the pruning service. Register your <see cref="RotationEngine.AspNetCore.AccessTokens.IAccessTokenIssuer"/> as well. Calling it twice is harmless.
    /// </summary>
    /// <param name="builder">The engine's builder.</param>
    /// <param name="configure">Changes the endpoint options.</param>
    public static RotationEngineBuilder AddRotationEndpoints(this RotationEngineBuilder builder, Action<RotationEndpointOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<RotationEndpointOptions>();
        services.AddOptionsWithValidateOnStart<PruningOptions>();
        services.AddOptionsWithValidateOnStart<RotationClientsOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RotationEndpointOptions>, EndpointOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PruningOptions>, EndpointOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RotationClientsOptions>, EndpointOptionsValidator>());
        services.TryAddSingleton<IClientRegistry>(sp => EngineConfiguration.CreateRegistry(sp.GetRequiredService<IOptions<RotationClientsOptions>>().Value));
        services.TryAddSingleton<IRefreshTokenBindingSource, NoBindingSource>();
        services.TryAddSingleton<ClientAuthenticator>();
        services.TryAddSingleton<RefreshGrant>();
        services.TryAddSingleton<TokenEndpoint>();
        services.TryAddSingleton<RevocationEndpoint>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PruningService>());
        return builder;
    }
}
