using RotationEngine;
using RotationEngine.Storage;

namespace Simulator.Stores;

/// <summary>Passes every call through and counts it (the "store operations" column of the report).</summary>
internal sealed class CountingFamilyStore(IFamilyStore inner, StoreOperationCounter counter) : IFamilyStore
{
    public ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default)
    {
        counter.Increment();
        return inner.CreateAsync(family, cancellationToken);
    }

    public ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default)
    {
        counter.Increment();
        return inner.TryRotateAsync(command, cancellationToken);
    }

    public ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default)
    {
        counter.Increment();
        return inner.FindAsync(id, cancellationToken);
    }

    public ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default)
    {
        counter.Increment();
        return inner.TryRecordReplayAsync(id, generation, expectedLedger, newLedger, cancellationToken);
    }

    public ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        counter.Increment();
        return inner.TryRevokeAsync(id, reason, now, cancellationToken);
    }

    public ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        counter.Increment();
        return inner.RevokeSubjectAsync(subject, reason, now, cancellationToken);
    }

    public ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        counter.Increment();
        return inner.ListActiveAsync(subject, now, cancellationToken);
    }

    public ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default)
    {
        counter.Increment();
        return inner.PruneAsync(cutoff, batchSize, cancellationToken);
    }
}
