namespace Simulator.Peers;

/// <summary>
/// No rotation (RFC 6749 §6 leaves issuing a new refresh token optional): the same refresh token is valid until it
/// expires (idle lifetime from its last use, and the grant's absolute lifetime), whoever presents it, so a replay
/// is never noticed. IdentityServer's <c>RefreshTokenUsage = ReUse</c> and OpenIddict's
/// <c>DisableRollingRefreshTokens()</c> behave like this.
/// </summary>
internal sealed class NoRotationPeer : PeerModel
{
    public override bool Rotates => false;

    public override string Describe() => "no rotation: one token until expiry";

    public override PeerDecision Present(PeerFamily family, int token, long now) => PeerDecision.Return(token);
}
