namespace RotationEngine.Storage;

/// <summary>
/// A family as a store keeps it: one row, O(1) whatever the number of rotations, the same shape in every store
/// (<see cref="FamilyColumns"/> names its columns in this order). It holds no token and no secret: only a keyed
/// one-way digest of the current generation's secret, and a seal over the family's identity. Stores persist every
/// property verbatim and never interpret <see cref="Ledger"/>, <see cref="Digest"/> or <see cref="Seal"/>.
/// </summary>
public sealed record FamilyRecord
{
    /// <summary>The family id (primary key).</summary>
    public required FamilyId Id { get; init; }

    /// <summary>The user. Indexed: revoke-by-subject and list-by-subject look it up. Sealed.</summary>
    public required string Subject { get; init; }

    /// <summary>The client the family was issued to; part of every rotation's condition. Sealed.</summary>
    public required string ClientId { get; init; }

    /// <summary>The binding (e.g. a DPoP key thumbprint), or null when unbound. Sealed.</summary>
    public string? Binding { get; init; }

    /// <summary>The id of the key the family was issued under. Sealed.</summary>
    public required string KeyId { get; init; }

    /// <summary>The host's opaque metadata (for example granted scopes). Not a place for secrets. Sealed.</summary>
    public string? Metadata { get; init; }

    /// <summary>When the family was issued. Sealed.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Absolute expiry: <see cref="CreatedAt"/> plus the policy's family lifetime. Sealed.</summary>
    public required DateTimeOffset FamilyExpiresAt { get; init; }

    /// <summary>Idle expiry of the current token: its issue time plus <see cref="PolicySnapshot.TokenLifetime"/>.
    /// For listing and pruning; the engine checks expiry against the presented token's own issue time.</summary>
    public required DateTimeOffset TokenExpiresAt { get; init; }

    /// <summary>The current generation: the only one that can rotate.</summary>
    public required int Generation { get; init; }

    /// <summary>The keyed digest of the current token (16 bytes), all zeros once revoked. Treat as immutable.</summary>
    public required byte[] Digest { get; init; }

    /// <summary>The grace ledger: when each of the last <see cref="PolicySnapshot.GraceDepth"/> generations was
    /// retired and how often it replayed, as ASCII text that stores keep verbatim (see <see cref="GraceLedger"/>).</summary>
    public required string Ledger { get; init; }

    /// <summary>Active or revoked.</summary>
    public FamilyStatus Status { get; init; }

    /// <summary>When the family was revoked.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>Why the family was revoked.</summary>
    public RevocationReason? RevocationReason { get; init; }

    /// <summary>The rules the family was issued under. Sealed.</summary>
    public required PolicySnapshot Policy { get; init; }

    /// <summary>The seal of the family's identity (16 bytes): a MAC under the family's key over every property marked
    /// sealed. Treat as immutable.</summary>
    public required byte[] Seal { get; init; }

    /// <summary>When the family may be pruned: the earliest of its token expiry, its family expiry and its
    /// revocation time. <see cref="IFamilyStore.PruneAsync"/> deletes the families for which this is before the cutoff.</summary>
    public DateTimeOffset PrunableAt
    {
        get
        {
            // Stryker disable once Equality : on a tie both branches are the same instant (equality and PruneAsync's cutoff compare instants)
            var at = TokenExpiresAt < FamilyExpiresAt ? TokenExpiresAt : FamilyExpiresAt;
            // Stryker disable once Equality : on a tie both branches are the same instant (equality and PruneAsync's cutoff compare instants)
            return Status == FamilyStatus.Revoked && RevokedAt is { } revokedAt && revokedAt < at ? revokedAt : at;
        }
    }

    /// <summary>The issue time of the current token.</summary>
    internal DateTimeOffset CurrentIssuedAt => TokenExpiresAt - Policy.TokenLifetime;

    /// <inheritdoc />
    public override string ToString() => $"Family {Id} {Status} generation {Generation} client {ClientId}";
}
