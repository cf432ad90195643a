using RotationEngine.Storage;

namespace RotationEngine.Benchmarks.Infrastructure;

/// <summary>Passes every call through and counts it: what the forged-token benchmarks check is zero.</summary>
internal sealed class CountingStore(IFamilyStore inner) : IFamilyStore
{
    private long _calls;

    /// <summary>Store calls so far.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    public IFamilyStore Inner => inner;

    public ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        return inner.CreateAsync(family, cancellationToken);
    }

    public ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        return inner.TryRotateAsync(command, cancellationToken);
    }

    public ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        return inner.FindAsync(id, cancellationToken);
    }

    public ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        return inner.TryRecordReplayAsync(id, generation, expectedLedger, newLedger, cancellationToken);
    }

    public ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        return inner.TryRevokeAsync(id, reason, now, cancellationToken);
    }

    public ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        return inner.RevokeSubjectAsync(subject, reason, now, cancellationToken);
    }

    public ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        return inner.ListActiveAsync(subject, now, cancellationToken);
    }

    public ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        return inner.PruneAsync(cutoff, batchSize, cancellationToken);
    }
}
