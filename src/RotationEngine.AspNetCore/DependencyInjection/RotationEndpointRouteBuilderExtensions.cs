using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RotationEngine.AspNetCore;
using RotationEngine.AspNetCore.AccessTokens;
using RotationEngine.AspNetCore.Endpoints;

// The conventional namespace for endpoint-mapping extensions, so that they are found without a using.
#pragma warning disable IDE0130
namespace Microsoft.AspNetCore.Builder;
#pragma warning restore IDE0130

/// <summary>Maps the OAuth endpoints of the rotation engine.</summary>
public static class RotationEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the token endpoint (RFC 6749 §6 refresh grant) at <see cref="RotationEndpointOptions.TokenPath"/> and the
    /// revocation endpoint (RFC 7009) at <see cref="RotationEndpointOptions.RevocationPath"/>, with the rate-limiter
    /// policy <see cref="RotationEndpointOptions.RateLimiterPolicy"/> if one is named. Needs <c>AddRotationEndpoints</c>
    /// (or <c>AddRotationEngine(IConfiguration)</c>) and a registered <see cref="IAccessTokenIssuer"/>.
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <returns>A builder for both endpoints: chain <c>RequireHost</c>, your own filters, another rate limiter.</returns>
    /// <exception cref="InvalidOperationException">The services are not registered.</exception>
    public static IEndpointConventionBuilder MapRotationEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        // Checked without resolving anything that would build the engine before the host starts.
        var services = endpoints.ServiceProvider;
        var registered = services.GetRequiredService<IServiceProviderIsService>();
        if (!registered.IsService(typeof(TokenEndpoint)))
        {
            throw new InvalidOperationException(
                "MapRotationEndpoints needs the endpoint services: call services.AddRotationEngine(configuration) or AddRotationEngine(…).AddRotationEndpoints().");
        }

        if (!registered.IsService(typeof(IAccessTokenIssuer)))
        {
            throw new InvalidOperationException(
                "MapRotationEndpoints needs an IAccessTokenIssuer: register the service that mints your access tokens, e.g. services.AddSingleton<IAccessTokenIssuer, MyJwtIssuer>().");
        }

        var options = services.GetRequiredService<IOptions<RotationEndpointOptions>>().Value;
        var group = endpoints.MapGroup("");
        group.Map(options.TokenPath, static context => context.RequestServices.GetRequiredService<TokenEndpoint>().HandleAsync(context)).WithDisplayName("RotationEngine token endpoint");
        group.Map(options.RevocationPath, static context => context.RequestServices.GetRequiredService<RevocationEndpoint>().HandleAsync(context)).WithDisplayName("RotationEngine revocation endpoint");
        if (options.RateLimiterPolicy is { } policy)
        {
            group.RequireRateLimiting(policy);
        }

        return group;
    }
}
