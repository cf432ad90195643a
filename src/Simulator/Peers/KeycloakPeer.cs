namespace Simulator.Peers;

/// <summary>
/// Keycloak with "Revoke Refresh Token" on: the client session remembers its current refresh token, how often it
/// was used and the time (whole seconds) of the last refresh. A token that is not the current one and was issued
/// before the last refresh is refused as a "Stale token"; a current token used more than
/// <c>refreshTokenMaxReuse</c> times more is refused ("Maximum allowed refresh token reuse exceeded"); there is no
/// time window, and a refusal revokes nothing (the session lives on, so reuse is never detected). Follows
/// <c>services/src/main/java/org/keycloak/protocol/oidc/TokenManager.java</c> (<c>validateTokenReuse</c>) in
/// github.com/keycloak/keycloak and the realm settings <c>revokeRefreshToken</c> / <c>refreshTokenMaxReuse</c>
/// (default 0).
/// </summary>
internal sealed class KeycloakPeer(int maxReuse) : PeerModel
{
    public override string Describe() => $"Keycloak: {maxReuse + 1} use(s) per token, refusal only";

    public override PeerDecision Present(PeerFamily family, int token, long now)
    {
        var issuedSeconds = family.Tokens[token].IssuedAt / 1000;
        if (family.CurrentToken >= 0 && token != family.CurrentToken && issuedSeconds < family.LastRefreshSeconds)
        {
            return PeerDecision.RefuseOnly;
        }

        if (token != family.CurrentToken)
        {
            family.CurrentToken = token;
            family.CurrentTokenUses = 0;
        }

        if (family.CurrentTokenUses > maxReuse)
        {
            return PeerDecision.RefuseOnly;
        }

        var reuse = family.CurrentTokenUses > 0;
        family.CurrentTokenUses++;
        family.LastRefreshSeconds = now / 1000;
        return PeerDecision.MintChild(replay: reuse);
    }
}
