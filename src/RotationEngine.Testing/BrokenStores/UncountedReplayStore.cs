namespace RotationEngine.Testing.BrokenStores;

/// <summary>Grace replays never counted: the ledger write is skipped, so a replay limit never runs out.</summary>
public sealed class UncountedReplayStore : LockingFamilyStore
{
    /// <inheritdoc />
    public override ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(true);
}
