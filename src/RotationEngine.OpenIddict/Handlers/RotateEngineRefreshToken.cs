using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using RotationEngine.OpenIddict.Internal;
using RotationEngine.Storage;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace RotationEngine.OpenIddict.Handlers;

/// <summary>
/// Rotates the presented engine refresh token when OpenIddict signs in for a refresh-token grant: after the host (or
/// OpenIddict's automatic handling) accepted the request and after OpenIddict decided to issue a new refresh token,
/// before any token is generated. One conditional write; concurrent refreshes of one token converge on one new token
/// (the engine's grace replay). A refusal that surfaces only here (another request revoked the family meanwhile) is
/// <c>invalid_grant</c>; a store fault is a retryable 503.
/// </summary>
public sealed class RotateEngineRefreshToken : IOpenIddictServerHandler<ProcessSignInContext>
{
    private readonly RefreshTokenEngine _engine;
    private readonly OpenIddictServerRotationEngineOptions _options;
    private readonly Authorizations _authorizations;
    private readonly ILogger _logger;

    private RotateEngineRefreshToken(RefreshTokenEngine engine, OpenIddictServerRotationEngineOptions options, Authorizations authorizations, ILogger logger)
    {
        _engine = engine;
        _options = options;
        _authorizations = authorizations;
        _logger = logger;
    }

    /// <summary>The descriptor: scoped, ordered just before OpenIddict generates the first token of the response
    /// (<see cref="OpenIddictServerHandlers.GenerateAccessToken"/>).</summary>
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseScopedHandler(static provider => new RotateEngineRefreshToken(
                Services.Engine(provider),
                provider.GetRequiredService<IOptionsMonitor<OpenIddictServerRotationEngineOptions>>().CurrentValue,
                Services.Authorizations(provider),
                Services.Logger(provider)))
            .SetOrder(OpenIddictServerHandlers.GenerateAccessToken.Descriptor.Order - 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    /// <inheritdoc />
    public async ValueTask HandleAsync(ProcessSignInContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.EndpointType != OpenIddictServerEndpointType.Token || context.Request?.IsRefreshTokenGrantType() != true
            || context.Transaction.GetRefresh() is not { } refresh)
        {
            return;
        }

        if (!string.Equals(context.Principal?.GetClaim(Claims.Subject), refresh.Subject, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                "The principal signed in for this refresh-token request has another subject than the session's. A refresh cannot move a session "
                + "to another user: keep the 'sub' claim of the principal AuthenticateAsync returned, or forbid the request to end the session.");
        }

        if (!context.GenerateRefreshToken)
        {
            // No new refresh token goes back (the principal lost offline_access): the presented one stays current.
            return;
        }

        RotationResult rotated;
        try
        {
            rotated = await _engine.RotateAsync(refresh.Token, refresh.ClientId, cancellationToken: context.CancellationToken).ConfigureAwait(false);
        }
        catch (RotationStoreException exception)
        {
            Refusals.StoreUnavailable(context, _logger, exception, "rotation");
            return;
        }

        if (!rotated.Succeeded)
        {
            Log.RefreshRefused(_logger, context.EndpointType.ToString(), rotated.Outcome, rotated.Cause, rotated.FamilyId, refresh.ClientId);
            if (rotated.Outcome == RotationOutcome.ReuseDetected && _options.RevokeAuthorizationOnReuse)
            {
                await _authorizations.RevokeAsync(context.Options, refresh.AuthorizationId, rotated.FamilyId, rotated.Outcome.ToString(), onlyAdHoc: false, context.CancellationToken).ConfigureAwait(false);
            }

            context.Reject(Errors.InvalidGrant, Refusals.DescriptionFor(rotated.Outcome));
            return;
        }

        refresh.NextToken = rotated.Token;
    }
}
