namespace Simulator.Peers;

/// <summary>One refresh token a peer system minted: its parent (−1 for the first), its place in the lineage and
/// what the peer remembers about its use. A peer's family keeps every token (as their token tables do).</summary>
internal struct PeerToken
{
    public int Parent;

    public int Generation;

    public long IssuedAt;

    /// <summary>First redemption (OpenIddict's redemption date, Hydra's "used" mark, Supabase's revocation), or −1.</summary>
    public long FirstUsedAt;

    /// <summary>Last use (a non-rotating token's sliding idle expiry).</summary>
    public long LastUsedAt;

    /// <summary>Redemptions so far.</summary>
    public int Uses;
}

/// <summary>A peer system's record of one grant (OpenIddict's authorization, Hydra's request id, Supabase's
/// session, Keycloak's client session).</summary>
internal sealed class PeerFamily(string clientId, long createdAt)
{
    public string ClientId { get; } = clientId;

    public long CreatedAt { get; } = createdAt;

    public bool Revoked { get; set; }

    public List<PeerToken> Tokens { get; } = [];

    /// <summary>Keycloak: the client session's current refresh token (−1: none yet).</summary>
    public int CurrentToken { get; set; } = -1;

    /// <summary>Keycloak: uses of the current refresh token.</summary>
    public int CurrentTokenUses { get; set; }

    /// <summary>Keycloak: the client session's timestamp (whole seconds) of the last refresh.</summary>
    public long LastRefreshSeconds { get; set; }

    /// <summary>Adds a token and returns its index.</summary>
    public int Mint(int parent, long now)
    {
        var generation = parent < 0 ? 0 : Tokens[parent].Generation + 1;
        Tokens.Add(new PeerToken { Parent = parent, Generation = generation, IssuedAt = now, FirstUsedAt = -1, LastUsedAt = now });
        return Tokens.Count - 1;
    }
}

/// <summary>What a peer does with a presented token that passed the common checks (known, right client, family
/// live, token not expired).</summary>
internal readonly record struct PeerDecision(PeerDecisionKind Kind, int Token = -1)
{
    public static PeerDecision MintChild(bool replay) => new(replay ? PeerDecisionKind.MintSibling : PeerDecisionKind.MintChild);

    public static PeerDecision Return(int token) => new(PeerDecisionKind.ReturnExisting, token);

    public static PeerDecision RevokeFamily { get; } = new(PeerDecisionKind.RevokeFamily);

    public static PeerDecision RefuseOnly { get; } = new(PeerDecisionKind.Refuse);
}

internal enum PeerDecisionKind
{
    /// <summary>A first redemption: a new token, child of the presented one (Rotated).</summary>
    MintChild,

    /// <summary>An accepted reuse: another new child of the presented token, a sibling of the first (GraceReplay): the lineage forks.</summary>
    MintSibling,

    /// <summary>An accepted reuse answered with a token that already exists (GraceReplay; no-rotation's Rotated).</summary>
    ReturnExisting,

    /// <summary>A refused reuse that revokes the whole grant (ReuseDetected, the family revoked).</summary>
    RevokeFamily,

    /// <summary>A refused reuse that revokes nothing (Keycloak's "Stale token"; the caller alone is refused).</summary>
    Refuse,
}
