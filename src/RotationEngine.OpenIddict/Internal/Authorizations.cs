using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace RotationEngine.OpenIddict.Internal;

/// <summary>The family's OpenIddict authorization: checked on every refresh and introspection, revoked with the family
/// when a reuse is detected. Does nothing when OpenIddict keeps no authorizations (degraded mode, authorization storage
/// disabled, no authorization manager registered).</summary>
internal sealed class Authorizations(IOpenIddictAuthorizationManager? manager, ILogger logger)
{
    /// <summary>Whether the authorization is missing or no longer valid (revoked). False when there is nothing to check.</summary>
    public async ValueTask<bool> IsInvalidAsync(OpenIddictServerOptions options, string? authorizationId, CancellationToken cancellationToken)
    {
        if (!Applies(options, authorizationId))
        {
            return false;
        }

        var authorization = await manager!.FindByIdAsync(authorizationId!, cancellationToken).ConfigureAwait(false);
        return authorization is null || !await manager.HasStatusAsync(authorization, Statuses.Valid, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Revokes the authorization (only an ad hoc one when <paramref name="onlyAdHoc"/>). A failure is logged
    /// and swallowed: the family is already revoked, which is what ends the session.</summary>
    public async ValueTask RevokeAsync(OpenIddictServerOptions options, string? authorizationId, FamilyId? familyId, string reason, bool onlyAdHoc, CancellationToken cancellationToken)
    {
        if (!Applies(options, authorizationId))
        {
            return;
        }

        try
        {
            var authorization = await manager!.FindByIdAsync(authorizationId!, cancellationToken).ConfigureAwait(false);
            if (authorization is null
                || (onlyAdHoc && !await manager.HasTypeAsync(authorization, AuthorizationTypes.AdHoc, cancellationToken).ConfigureAwait(false)))
            {
                return;
            }

            if (await manager.TryRevokeAsync(authorization, cancellationToken).ConfigureAwait(false))
            {
                Log.AuthorizationRevoked(logger, authorizationId!, familyId, reason);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException and not OutOfMemoryException)
        {
            Log.AuthorizationRevocationFailed(logger, exception, authorizationId!, familyId);
        }
    }

    private bool Applies(OpenIddictServerOptions options, string? authorizationId) =>
        manager is not null && !string.IsNullOrEmpty(authorizationId) && !options.EnableDegradedMode && !options.DisableAuthorizationStorage;
}
