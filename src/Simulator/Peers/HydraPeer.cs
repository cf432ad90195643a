namespace Simulator.Peers;

/// <summary>
/// Ory Hydra with graceful refresh token rotation: using a refresh token marks it used; within the grace period
/// after that first use it may be used again, each use issuing a new token pair (a sibling), optionally at most
/// <c>rotation_grace_reuse_count</c> times; a used token presented after the grace period (or past the count)
/// is a reuse, and Hydra revokes the tokens of the whole grant. Follows the documentation page "Graceful refresh
/// token rotation" (ory/docs <c>docs/hydra/guides/graceful-token-refresh.mdx</c>, www.ory.sh/docs/hydra/guides/graceful-token-refresh:
/// <c>oauth2.grant.refresh_token.rotation_grace_period</c>, default 0 = strict, at most 5 minutes unless a count
/// is set) and Hydra's <c>persistence/sql/persister_oauth2.go</c> (<c>config.KeyRefreshTokenRotationGracePeriod</c>).
/// </summary>
internal sealed class HydraPeer(long graceMs, int? reuseCount) : PeerModel
{
    public const double DefaultGraceSeconds = 10;

    public override string Describe() =>
        $"Hydra: sibling within {Format(graceMs)} grace, {(reuseCount is { } count ? $"≤ {count} reuses" : "reuses unlimited")}";

    public override PeerDecision Present(PeerFamily family, int token, long now)
    {
        var entry = family.Tokens[token];
        if (entry.FirstUsedAt < 0)
        {
            return PeerDecision.MintChild(replay: false);
        }

        var reuses = entry.Uses - 1;
        var withinGrace = now < entry.FirstUsedAt + graceMs;
        var withinCount = reuseCount is not { } limit || reuses < limit;
        return withinGrace && withinCount ? PeerDecision.MintChild(replay: true) : PeerDecision.RevokeFamily;
    }
}
