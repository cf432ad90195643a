namespace Simulator.Peers;

/// <summary>
/// Supabase Auth (gotrue): refreshing revokes the presented token and issues a child. A revoked token whose child
/// is still active (the client lost the answer to its last refresh) is answered with that active child, with no time
/// limit; any other revoked token is accepted only within the reuse interval after it was revoked (a new sibling),
/// and otherwise the whole token family is revoked ("Invalid Refresh Token: Already Used"). Follows
/// <c>internal/api/token_refresh.go</c> in github.com/supabase/auth (the <c>token.Revoked</c> branch:
/// <c>GetValidChildToken</c>, then <c>token.UpdatedAt + RefreshTokenReuseInterval</c>, then
/// <c>RevokeTokenFamily</c>) and the setting <c>GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL</c> (10 s by default).
/// </summary>
internal sealed class SupabasePeer(long reuseIntervalMs) : PeerModel
{
    public const double DefaultReuseIntervalSeconds = 10;

    public override string Describe() => $"Supabase: child to parent, sibling within {Format(reuseIntervalMs)}";

    public override PeerDecision Present(PeerFamily family, int token, long now)
    {
        var entry = family.Tokens[token];
        if (entry.FirstUsedAt < 0)
        {
            return PeerDecision.MintChild(replay: false);
        }

        // The active (not yet revoked) child of the presented token, if any: the newest one.
        for (var i = family.Tokens.Count - 1; i > token; i--)
        {
            if (family.Tokens[i].Parent == token && family.Tokens[i].FirstUsedAt < 0)
            {
                return PeerDecision.Return(i);
            }
        }

        return now < entry.FirstUsedAt + reuseIntervalMs ? PeerDecision.MintChild(replay: true) : PeerDecision.RevokeFamily;
    }
}
