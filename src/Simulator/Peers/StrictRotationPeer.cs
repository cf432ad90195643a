namespace Simulator.Peers;

/// <summary>
/// Strict rotation as RFC 9700 (OAuth 2.0 Security Best Current Practice, §4.14.2) describes it: every refresh token
/// is single-use; presenting a used one is a reuse, and the server revokes the grant's active refresh token.
/// </summary>
internal sealed class StrictRotationPeer : PeerModel
{
    public override string Describe() => "strict: single use, reuse revokes the grant";

    public override PeerDecision Present(PeerFamily family, int token, long now) =>
        family.Tokens[token].FirstUsedAt < 0 ? PeerDecision.MintChild(replay: false) : PeerDecision.RevokeFamily;
}
