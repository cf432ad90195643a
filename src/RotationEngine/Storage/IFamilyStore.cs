namespace RotationEngine.Storage;

/// <summary>
/// Where families live. A few coarse operations, each one statement (SQL) or one script (Redis), each atomic on
/// its family; a store never reads a clock (<c>now</c> comes in with the call). Faults are thrown as
/// <see cref="RotationStoreException"/>; the expected "no" is a return value. Implementations are thread-safe.
/// A store need not trust its writers: the engine seals each family's identity and checks every record it reads
/// back (docs/security.md), so a store only has to keep what it is given. The conformance and property suites in
/// <c>RotationEngine.Testing</c> check an implementation against this contract.
/// </summary>
public interface IFamilyStore
{
    /// <summary>Stores a new family. Its id is new (random 128 bits); a duplicate is a fault. When this returns, the
    /// family is visible to <see cref="RevokeSubjectAsync"/> and <see cref="ListActiveAsync"/>, and a concurrent call of
    /// either never makes it invisible to later ones (docs/semantics.md, invariant 9).</summary>
    ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default);

    /// <summary>
    /// The rotation: one atomic conditional write. If the family exists and
    /// <c>Generation == command.Generation</c>, <c>Digest == command.ExpectedDigest</c>,
    /// <c>KeyId == command.KeyId</c>, <c>ClientId == command.ClientId</c>, <c>Status == Active</c>,
    /// <c>command.Now &lt; command.IssuedAt + Policy.TokenLifetime</c>, <c>command.Now &lt; FamilyExpiresAt</c>,
    /// <c>Generation &lt; Policy.MaxGenerations</c> and (<c>Binding</c> is null or equals <c>command.Binding</c>), then set
    /// <c>Generation += 1</c>, <c>Digest = command.NewDigest</c>,
    /// <c>TokenExpiresAt = command.Now + Policy.TokenLifetime</c> and
    /// <c>Ledger = GraceLedger.Shift(command.LedgerSlot, Ledger, Policy.GraceDepth)</c>, and return the family as
    /// written. Otherwise change nothing and return null. (<see cref="RotationCommand.Matches"/> and
    /// <see cref="RotationCommand.ApplyTo"/> are the reference.)
    /// </summary>
    ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default);

    /// <summary>Reads a family, or null if the store does not hold it.</summary>
    ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default);

    /// <summary>Counts a grace replay: if the family is active, at <paramref name="generation"/> and its ledger
    /// equals <paramref name="expectedLedger"/>, set the ledger to <paramref name="newLedger"/> and return true;
    /// otherwise change nothing and return false.</summary>
    ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default);

    /// <summary>Revokes a family if it is active: status revoked, <see cref="FamilyRecord.RevokedAt"/> =
    /// <paramref name="now"/>, the reason, and <see cref="FamilyRecord.Digest"/> set to 16 zero bytes (so that flipping
    /// the status back revives no token). Returns whether it changed. Revocation is final.</summary>
    ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Revokes every active family of <paramref name="subject"/> as <see cref="TryRevokeAsync"/> does;
    /// returns how many changed. A family whose <see cref="CreateAsync"/> returned before this call began is never missed.</summary>
    ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>The subject's live families (active, with <paramref name="now"/> before both expiries), ordered by
    /// <see cref="FamilyRecord.CreatedAt"/> then id. A family whose <see cref="CreateAsync"/> returned before this call
    /// began is never missed.</summary>
    ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Deletes at most <paramref name="batchSize"/> families whose <see cref="FamilyRecord.PrunableAt"/> is
    /// before <paramref name="cutoff"/>; returns how many.</summary>
    ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default);
}
