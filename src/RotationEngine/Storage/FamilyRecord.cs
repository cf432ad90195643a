namespace RotationEngine.Storage;

/// <summary>
/// A family as a store keeps it: O(1) state whatever the number of rotations. It holds no token and no
/// secret: only a one-way digest of the current generation's secret. Stores persist every property verbatim.
/// </summary>
public sealed record FamilyRecord
{
    /// <summary>The family id (primary key).</summary>
    public required FamilyId Id { get; init; }

    /// <summary>The user. Indexed: revoke-by-subject and list-by-subject look it up.</summary>
    public required string Subject { get; init; }

    /// <summary>The client the family was issued to.</summary>
    public required string ClientId { get; init; }

    /// <summary>The binding (e.g. a DPoP key thumbprint or a device id), or null when unbound.</summary>
    public string? Binding { get; init; }

    /// <summary>The id of the chain key the family was issued under.</summary>
    public required string KeyId { get; init; }

    /// <summary>The host's opaque metadata (for example granted scopes). Not a place for secrets.</summary>
    public string? Metadata { get; init; }

    /// <summary>When the family was issued.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Absolute expiry: <see cref="CreatedAt"/> plus the policy's family lifetime.</summary>
    public required DateTimeOffset FamilyExpiresAt { get; init; }

    /// <summary>Idle expiry of the current token: its issue time plus the policy's token lifetime.</summary>
    public required DateTimeOffset TokenExpiresAt { get; init; }

    /// <summary>The current generation: the only one that can rotate.</summary>
    public required int Generation { get; init; }

    /// <summary>The one-way digest of the current generation's secret (32 bytes). Treat as immutable.</summary>
    public required byte[] Digest { get; init; }

    /// <summary>The grace ledger: retirement times and replay counts of the last few generations, as ASCII
    /// text that stores keep verbatim (see <see cref="GraceLedger"/>). Empty for a new family.</summary>
    public required string Ledger { get; init; }

    /// <summary>Active or revoked.</summary>
    public FamilyStatus Status { get; init; }

    /// <summary>When the family was revoked.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>Why the family was revoked.</summary>
    public RevocationReason? RevocationReason { get; init; }

    /// <summary>The policy the family was issued under (its family lifetime is already in <see cref="FamilyExpiresAt"/>).</summary>
    public required RotationPolicy Policy { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"Family {Id} {Status} generation {Generation} subject {Subject} client {ClientId}";
}
