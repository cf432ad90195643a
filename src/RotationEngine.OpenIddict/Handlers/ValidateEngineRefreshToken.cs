using System.Security.Claims;
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
/// Validates RotationEngine refresh tokens wherever OpenIddict validates a refresh token (the token endpoint's
/// refresh-token grant, introspection, revocation), before OpenIddict looks the string up as a reference token or
/// reads it as a JWT. It asks the engine what a rotation would answer (<see cref="RefreshTokenEngine.InspectAsync"/>:
/// nothing changes yet), restores the principal the sign-in stored and attaches it; the rotation itself happens when
/// OpenIddict signs in (<see cref="RotateEngineRefreshToken"/>), so a request OpenIddict or the host refuses later
/// (a wrong scope, a locked-out user) rotates nothing. A refused token is refused here with the engine's side effects
/// applied (a reuse revokes the family and its OpenIddict authorization).
/// </summary>
public sealed class ValidateEngineRefreshToken : IOpenIddictServerHandler<ValidateTokenContext>
{
    private readonly RefreshTokenEngine _engine;
    private readonly OpenIddictServerRotationEngineOptions _options;
    private readonly Authorizations _authorizations;
    private readonly IRefreshPrincipalRebuilder? _rebuilder;
    private readonly ILogger _logger;

    private ValidateEngineRefreshToken(RefreshTokenEngine engine, OpenIddictServerRotationEngineOptions options, Authorizations authorizations, IRefreshPrincipalRebuilder? rebuilder, ILogger logger)
    {
        _engine = engine;
        _options = options;
        _authorizations = authorizations;
        _rebuilder = rebuilder;
        _logger = logger;
    }

    /// <summary>The descriptor: scoped, ordered just before OpenIddict's reference-token lookup
    /// (<see cref="OpenIddictServerHandlers.Protection.ValidateReferenceTokenIdentifier"/>).</summary>
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseScopedHandler(static provider => new ValidateEngineRefreshToken(
                Services.Engine(provider),
                provider.GetRequiredService<IOptionsMonitor<OpenIddictServerRotationEngineOptions>>().CurrentValue,
                Services.Authorizations(provider),
                provider.GetService<IRefreshPrincipalRebuilder>(),
                Services.Logger(provider)))
            .SetOrder(OpenIddictServerHandlers.Protection.ValidateReferenceTokenIdentifier.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    /// <inheritdoc />
    public async ValueTask HandleAsync(ValidateTokenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Principal is not null || (context.ValidTokenTypes.Count > 0 && !context.ValidTokenTypes.Contains(TokenTypeIdentifiers.RefreshToken)))
        {
            return;
        }

        var refreshGrant = context.EndpointType == OpenIddictServerEndpointType.Token
            && context.Request?.IsRefreshTokenGrantType() == true
            && context.ValidTokenTypes.Count == 1;
        var clientId = context.Request?.ClientId;
        if (!TokenShape.IsEngineToken(context.Token))
        {
            if (refreshGrant && _options.LegacyRefreshTokens == LegacyRefreshTokens.Reject)
            {
                Log.NotAnEngineToken(_logger, TokenShape.Describe(context.Token), context.Token?.Length ?? 0, clientId);
                context.Reject(Errors.InvalidGrant, TokenShape.IsOpenIddictToken(context.Token) ? Refusals.LegacyDescription : Refusals.InvalidDescription);
            }

            return;
        }

        try
        {
            switch (context.EndpointType)
            {
                case OpenIddictServerEndpointType.Token when refreshGrant:
                    await ValidateRefreshGrantAsync(context, clientId).ConfigureAwait(false);
                    break;
                case OpenIddictServerEndpointType.Introspection:
                    await ValidateIntrospectionAsync(context, clientId).ConfigureAwait(false);
                    break;
                case OpenIddictServerEndpointType.Revocation:
                    await ValidateRevocationAsync(context, clientId).ConfigureAwait(false);
                    break;
                default:
                    // An engine token where OpenIddict expects another kind of token (token exchange, a custom
                    // endpoint): it is nothing else, so refuse it rather than look it up.
                    context.Reject(Errors.InvalidToken, Refusals.InvalidDescription);
                    break;
            }
        }
        catch (RotationStoreException exception)
        {
            Refusals.StoreUnavailable(context, _logger, exception, "validation");
        }
    }

    private async ValueTask ValidateRefreshGrantAsync(ValidateTokenContext context, string? clientId)
    {
        if (string.IsNullOrEmpty(clientId) || clientId.Length > RefreshTokenEngine.MaxClientIdLength)
        {
            // Every engine token is bound to its client; without one (an anonymous request) nothing can match.
            context.Reject(Errors.InvalidGrant, Refusals.InvalidDescription);
            return;
        }

        var token = context.Token;
        var cancellation = context.CancellationToken;
        var inspected = await _engine.InspectAsync(token, clientId, cancellationToken: cancellation).ConfigureAwait(false);
        if (!inspected.Succeeded)
        {
            // Make the refusal happen: Inspect only predicts it, RotateAsync applies it (a reuse revokes the family,
            // every refusal is an audit event).
            var refused = await _engine.RotateAsync(token, clientId, cancellationToken: cancellation).ConfigureAwait(false);
            await RefuseAsync(context, refused, clientId).ConfigureAwait(false);
            return;
        }

        var principal = await RestoreAsync(context, inspected, clientId).ConfigureAwait(false);
        if (principal is null)
        {
            return;
        }

        if (_rebuilder is not null)
        {
            var snapshot = principal;
            principal = await _rebuilder.RebuildAsync(new RefreshPrincipalContext(Copy(snapshot), inspected.Subject!, clientId, inspected.FamilyId!.Value, inspected.Generation, context.Transaction)).ConfigureAwait(false);
            if (principal is null)
            {
                Log.SessionEndedByRebuilder(_logger, inspected.FamilyId, clientId);
                await _engine.RevokeFamilyAsync(inspected.FamilyId.Value, RevocationReason.CredentialsChanged, cancellation).ConfigureAwait(false);
                context.Reject(Errors.InvalidGrant, Refusals.SessionEndedDescription);
                return;
            }

            principal = Merge(principal, snapshot, inspected);
        }

        context.Transaction.SetRefresh(new PendingRefresh(token, clientId, inspected.FamilyId!.Value, inspected.Subject!, principal.GetAuthorizationId()));
        context.Principal = principal;
    }

    private async ValueTask ValidateIntrospectionAsync(ValidateTokenContext context, string? clientId)
    {
        var inspected = await _engine.InspectAsync(context.Token, string.IsNullOrEmpty(clientId) ? null : clientId, cancellationToken: context.CancellationToken).ConfigureAwait(false);
        if (inspected.Outcome != RotationOutcome.Rotated)
        {
            // Only the current token is active: a retired one (even within grace) or a dead family is not.
            Log.RefreshRefused(_logger, context.EndpointType.ToString(), inspected.Outcome, inspected.Cause, inspected.FamilyId, clientId);
            context.Reject(Errors.InvalidToken, Refusals.DescriptionFor(inspected.Outcome));
            return;
        }

        context.Principal = await RestoreAsync(context, inspected, clientId).ConfigureAwait(false);
    }

    private async ValueTask ValidateRevocationAsync(ValidateTokenContext context, string? clientId)
    {
        // A retired or expired token still names its session: RFC 7009 revocation of any authentic token of the family
        // ends it. Only a token the engine cannot attribute to a family of this client is refused (an empty 200).
        var inspected = await _engine.InspectAsync(context.Token, string.IsNullOrEmpty(clientId) ? null : clientId, cancellationToken: context.CancellationToken).ConfigureAwait(false);
        if (inspected.FamilyId is not { } familyId || inspected.Subject is null)
        {
            context.Reject(Errors.InvalidToken, Refusals.InvalidDescription);
            return;
        }

        var principal = PrincipalSnapshot.TryRestore(inspected.Metadata) ?? Minimal(inspected);
        principal.SetTokenType(TokenTypeIdentifiers.RefreshToken).SetExpirationDate(inspected.TokenExpiresAt);
        context.Transaction.SetRevocation(new PendingRevocation(context.Token, string.IsNullOrEmpty(clientId) ? null : clientId, familyId, principal.GetAuthorizationId()));
        context.Principal = principal;
    }

    /// <summary>The stored principal of a token the engine accepts, or null (and the request refused) when the family
    /// holds no readable snapshot or its OpenIddict authorization is gone.</summary>
    private async ValueTask<ClaimsPrincipal?> RestoreAsync(ValidateTokenContext context, RotationResult inspected, string? clientId)
    {
        var principal = PrincipalSnapshot.TryRestore(inspected.Metadata);
        if (principal is null || !string.Equals(principal.GetClaim(Claims.Subject), inspected.Subject, StringComparison.Ordinal))
        {
            Log.UnreadableSnapshot(_logger, inspected.FamilyId, clientId);
            context.Reject(Refusals.ErrorFor(context.EndpointType), Refusals.InvalidDescription);
            return null;
        }

        var authorizationId = principal.GetAuthorizationId();
        if (await _authorizations.IsInvalidAsync(context.Options, authorizationId, context.CancellationToken).ConfigureAwait(false))
        {
            // The authorization was revoked through OpenIddict (an administrator, RevokeBySubjectAsync): end the
            // family with it, so that the engine's session list agrees.
            if (await _engine.RevokeFamilyAsync(inspected.FamilyId!.Value, RevocationReason.Administrative, context.CancellationToken).ConfigureAwait(false))
            {
                Log.FamilyRevokedWithAuthorization(_logger, inspected.FamilyId, authorizationId!);
            }

            context.Reject(Refusals.ErrorFor(context.EndpointType), Refusals.AuthorizationDescription);
            return null;
        }

        return principal.SetTokenType(TokenTypeIdentifiers.RefreshToken).SetExpirationDate(inspected.TokenExpiresAt);
    }

    private async ValueTask RefuseAsync(ValidateTokenContext context, RotationResult refused, string clientId)
    {
        Log.RefreshRefused(_logger, context.EndpointType.ToString(), refused.Outcome, refused.Cause, refused.FamilyId, clientId);
        var revokedNow = refused.Outcome == RotationOutcome.ReuseDetected
            || (refused.Outcome == RotationOutcome.BindingMismatch && refused.RevocationReason is not null);
        if (revokedNow && _options.RevokeAuthorizationOnReuse)
        {
            var authorizationId = PrincipalSnapshot.TryRestore(refused.Metadata)?.GetAuthorizationId();
            await _authorizations.RevokeAsync(context.Options, authorizationId, refused.FamilyId, refused.Outcome.ToString(), onlyAdHoc: false, context.CancellationToken).ConfigureAwait(false);
        }

        context.Reject(Errors.InvalidGrant, Refusals.DescriptionFor(refused.Outcome));
    }

    /// <summary>The rebuilt principal with the stored one's internal claims it lacks (as OpenIddict's own
    /// <c>RestoreInternalClaims</c> does at sign-in), and the engine's token type and expiry.</summary>
    private static ClaimsPrincipal Merge(ClaimsPrincipal rebuilt, ClaimsPrincipal snapshot, RotationResult inspected)
    {
        if (!string.Equals(rebuilt.GetClaim(Claims.Subject), inspected.Subject, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                "IRefreshPrincipalRebuilder.RebuildAsync returned a principal with another subject than the session's. A refresh cannot move a "
                + "session to another user: return null to end the session instead.");
        }

        if (rebuilt.Identity is not ClaimsIdentity identity)
        {
            throw new InvalidOperationException("IRefreshPrincipalRebuilder.RebuildAsync must return a principal with a ClaimsIdentity.");
        }

        foreach (var group in snapshot.Claims.Where(claim => claim.Type.StartsWith("oi_", StringComparison.OrdinalIgnoreCase)).GroupBy(claim => claim.Type, StringComparer.Ordinal))
        {
            if (!rebuilt.HasClaim(claim => string.Equals(claim.Type, group.Key, StringComparison.Ordinal)))
            {
                identity.AddClaims(group.Select(claim => claim.Clone(identity)));
            }
        }

        return rebuilt.SetTokenType(TokenTypeIdentifiers.RefreshToken).SetExpirationDate(inspected.TokenExpiresAt);
    }

    private static ClaimsPrincipal Copy(ClaimsPrincipal principal) => principal.Clone(static _ => true);

    /// <summary>A principal for a family whose snapshot cannot be read: enough for OpenIddict's revocation checks.</summary>
    private static ClaimsPrincipal Minimal(RotationResult inspected)
    {
        var identity = new ClaimsIdentity("RotationEngine");
        identity.AddClaim(new Claim(Claims.Subject, inspected.Subject!));
        var principal = new ClaimsPrincipal(identity);
        return inspected.ClientId is { } client ? principal.SetPresenters(client) : principal;
    }
}
