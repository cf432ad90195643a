using System.Globalization;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using RotationEngine.OpenIddict.Internal;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace RotationEngine.OpenIddict.Handlers;

/// <summary>
/// Sends a store fault as what it is — "outcome unknown, retry" — rather than as OpenIddict's 400: status 503 with
/// <c>Retry-After</c> and the error <c>temporarily_unavailable</c>, on the token, introspection and revocation
/// endpoints (ASP.NET Core hosts). Runs after OpenIddict sets the status code and before it writes the JSON body.
/// </summary>
/// <typeparam name="TContext">The endpoint's response context.</typeparam>
public sealed class AttachRetryAfter<TContext> : IOpenIddictServerHandler<TContext>
    where TContext : BaseRequestContext
{
    private readonly TimeSpan _retryAfter;

    private AttachRetryAfter(TimeSpan retryAfter) => _retryAfter = retryAfter;

    /// <summary>The descriptor: singleton, ordered after OpenIddict's <c>AttachCacheControlHeader</c>.</summary>
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<TContext>()
            .UseSingletonHandler(static provider => new AttachRetryAfter<TContext>(
                provider.GetRequiredService<IOptionsMonitor<OpenIddictServerRotationEngineOptions>>().CurrentValue.RetryAfter))
            .SetOrder(OpenIddictServerAspNetCoreHandlers.AttachCacheControlHeader<TContext>.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    /// <inheritdoc />
    public ValueTask HandleAsync(TContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Transaction.IsStoreUnavailable() && context.Transaction.GetHttpRequest()?.HttpContext.Response is { } response)
        {
            response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            response.Headers.RetryAfter = ((int)_retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        return ValueTask.CompletedTask;
    }
}
