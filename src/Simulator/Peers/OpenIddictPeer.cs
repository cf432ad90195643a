namespace Simulator.Peers;

/// <summary>
/// OpenIddict (rolling refresh tokens, the default): the first redemption marks the token redeemed and issues a new
/// one; presenting a redeemed token again within the reuse leeway of its redemption date is accepted and issues
/// another new refresh token (a sibling: the lineage forks and each branch rotates on its own); after the leeway it
/// revokes every token of the authorization. Follows <c>src/OpenIddict.Server/OpenIddictServerHandlers.Protection.cs</c>
/// (the token-entry validation that compares the redemption date plus <c>RefreshTokenReuseLeeway</c> with now, and
/// otherwise revokes the authorization's tokens) and <c>OpenIddictServerOptions.RefreshTokenReuseLeeway</c>
/// (30 seconds by default; <c>SetRefreshTokenReuseLeeway</c>), in github.com/openiddict/openiddict-core.
/// </summary>
internal sealed class OpenIddictPeer(long leewayMs) : PeerModel
{
    public const double DefaultLeewaySeconds = 30;

    public override string Describe() => $"OpenIddict: sibling within {Format(leewayMs)} of first use";

    public override PeerDecision Present(PeerFamily family, int token, long now)
    {
        var entry = family.Tokens[token];
        if (entry.FirstUsedAt < 0)
        {
            return PeerDecision.MintChild(replay: false);
        }

        return now < entry.FirstUsedAt + leewayMs ? PeerDecision.MintChild(replay: true) : PeerDecision.RevokeFamily;
    }
}
