using RotationEngine.Storage;

namespace RotationEngine.Testing;

/// <summary>A decorator that counts calls to each store operation: proves "no store access" and "one write".</summary>
/// <param name="inner">The store to call.</param>
public sealed class CountingFamilyStore(IFamilyStore inner) : IFamilyStore
{
    private int _creates;
    private int _rotates;
    private int _finds;
    private int _replays;
    private int _revokes;
    private int _others;

    /// <summary>Calls to <see cref="TryRotateAsync"/>.</summary>
    public int Rotates => Volatile.Read(ref _rotates);

    /// <summary>Calls to <see cref="FindAsync"/>.</summary>
    public int Finds => Volatile.Read(ref _finds);

    /// <summary>Calls of every kind.</summary>
    public int Total => Volatile.Read(ref _creates) + Rotates + Finds + Volatile.Read(ref _replays) + Volatile.Read(ref _revokes) + Volatile.Read(ref _others);

    /// <inheritdoc />
    public ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _creates);
        return inner.CreateAsync(family, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _rotates);
        return inner.TryRotateAsync(command, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _finds);
        return inner.FindAsync(id, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _replays);
        return inner.TryRecordReplayAsync(id, generation, expectedLedger, newLedger, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _revokes);
        return inner.TryRevokeAsync(id, reason, now, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _others);
        return inner.RevokeSubjectAsync(subject, reason, now, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _others);
        return inner.ListActiveAsync(subject, now, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _others);
        return inner.PruneAsync(cutoff, batchSize, cancellationToken);
    }
}
