using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RotationEngine.AspNetCore.Cookies;
using RotationEngine.DependencyInjection;

// The conventional namespace for endpoint-mapping extensions, so that they are found without a using.
#pragma warning disable IDE0130
namespace Microsoft.AspNetCore.Builder;
#pragma warning restore IDE0130

/// <summary>Registers and maps cookie mode (see <see cref="RefreshCookieOptions"/>).</summary>
public static class RefreshCookieExtensions
{
    /// <summary>Adds cookie mode's services; the options are validated at start-up. Needs the endpoint services
    /// (<c>AddRotationEndpoints</c> or <c>AddRotationEngine(IConfiguration)</c>).</summary>
    public static RotationEngineBuilder AddRefreshCookies(this RotationEngineBuilder builder, Action<RefreshCookieOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRefreshCookies(configure);
        return builder;
    }

    /// <summary>Adds cookie mode's services with options bound from <paramref name="configuration"/> (for example the
    /// section <c>RotationEngine:Cookies</c>), then <paramref name="configure"/>; validated at start-up.</summary>
    public static IServiceCollection AddRefreshCookies(this IServiceCollection services, IConfiguration configuration, Action<RefreshCookieOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<RefreshCookieOptions>().Bind(configuration);
        return services.AddRefreshCookies(configure);
    }

    /// <summary>Adds cookie mode's services; the options are validated at start-up.</summary>
    public static IServiceCollection AddRefreshCookies(this IServiceCollection services, Action<RefreshCookieOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<RefreshCookieOptions> options = services.AddOptions<RefreshCookieOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RefreshCookieOptions>, RefreshCookieOptionsValidator>());
        services.TryAddSingleton<RefreshCookie>();
        services.TryAddSingleton<RefreshCookieSignIn>();
        services.TryAddSingleton<CookieRefreshEndpoints>();
        return services;
    }

    /// <summary>Maps <c>POST {prefix}/refresh</c> and <c>POST {prefix}/signout</c> (<see cref="RefreshCookieOptions.PathPrefix"/>).</summary>
    /// <returns>A builder for the endpoints' group: map your cookie sign-in on it, chain filters or a rate limiter.</returns>
    public static RouteGroupBuilder MapRefreshCookieEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        CookieRefreshEndpoints handlers = endpoints.ServiceProvider.GetService<CookieRefreshEndpoints>() ?? throw new InvalidOperationException(
            "MapRefreshCookieEndpoints needs cookie mode's services: call AddRotationEngine(…).AddRefreshCookies().");
        RefreshCookieOptions options = endpoints.ServiceProvider.GetRequiredService<IOptions<RefreshCookieOptions>>().Value;
        RouteGroupBuilder group = endpoints.MapGroup(options.PathPrefix);
        group.Map("/refresh", handlers.RefreshAsync).WithDisplayName("RotationEngine cookie refresh");
        group.Map("/signout", handlers.SignOutAsync).WithDisplayName("RotationEngine cookie sign-out");
        if (options.RateLimiterPolicy is { } policy)
        {
            group.RequireRateLimiting(policy);
        }

        return group;
    }
}

internal sealed class RefreshCookieOptionsValidator : IValidateOptions<RefreshCookieOptions>
{
    public ValidateOptionsResult Validate(string? name, RefreshCookieOptions options)
    {
        string[] failures = options.Validate().ToArray();
        return failures.Length == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
