using System.Security.Claims;

namespace RotationEngine.OpenIddict;

/// <summary>
/// Rebuilds the principal of a refresh from the user store, as OpenIddict's samples do in their token endpoint: the
/// engine restores the principal the sign-in stored (it cannot change later, see docs/openiddict.md), and this hook
/// refreshes what may have changed since (name, e-mail, roles) or ends the session (the user was deleted or locked
/// out). Register one with <c>UseRotationEngine().AddPrincipalRebuilder&lt;T&gt;()</c>; it is resolved per request
/// (it may depend on scoped services such as <c>UserManager</c>).
/// </summary>
/// <remarks>Called at the token endpoint for every refresh-token request whose token is current or within grace,
/// before OpenIddict validates scopes and before the host's own token endpoint (passthrough) runs, so that
/// <c>AuthenticateAsync</c> in that endpoint sees the rebuilt principal. Not called for introspection or
/// revocation.</remarks>
public interface IRefreshPrincipalRebuilder
{
    /// <summary>Returns the principal this refresh continues with: <see cref="RefreshPrincipalContext.Principal"/>,
    /// changed or replaced, or null to end the session — the request gets <c>invalid_grant</c> and the family is
    /// revoked (reason <see cref="RevocationReason.CredentialsChanged"/>). The subject must not change. OpenIddict's
    /// internal claims (<c>oi_*</c>: scopes, resources, presenters, authorization id) that a new principal lacks are
    /// copied from the stored one.</summary>
    ValueTask<ClaimsPrincipal?> RebuildAsync(RefreshPrincipalContext context);
}
