using RotationEngine.Storage;

namespace RotationEngine.Testing;

/// <summary>A decorator that counts calls to each store operation: proves "no store access" and "one write", and gives
/// the simulator its "store operations" column. Forwards <see cref="IFamilyStoreInitializer"/> (not counted), so a host's
/// start-up check still runs.</summary>
/// <param name="inner">The store to call.</param>
/// <param name="counter">Where to count (shared with other decorators), or null for a counter of its own.</param>
public sealed class CountingFamilyStore(IFamilyStore inner, StoreCallCounter? counter = null) : IFamilyStore, IFamilyStoreInitializer
{
    /// <summary>The counts.</summary>
    public StoreCallCounter Counter { get; } = counter ?? new StoreCallCounter();

    /// <summary>Calls to <see cref="TryRotateAsync"/>.</summary>
    public int Rotates => (int)Counter.Rotates;

    /// <summary>Calls to <see cref="FindAsync"/>.</summary>
    public int Finds => (int)Counter.Finds;

    /// <summary>Calls of every kind.</summary>
    public int Total => (int)Counter.Count;

    /// <inheritdoc />
    public ValueTask InitializeAsync(CancellationToken cancellationToken = default) =>
        inner is IFamilyStoreInitializer initializer ? initializer.InitializeAsync(cancellationToken) : ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default)
    {
        Counter.Created();
        return inner.CreateAsync(family, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default)
    {
        Counter.Rotated();
        return inner.TryRotateAsync(command, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default)
    {
        Counter.Found();
        return inner.FindAsync(id, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default)
    {
        Counter.Replayed();
        return inner.TryRecordReplayAsync(id, generation, expectedLedger, newLedger, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        Counter.Revoked();
        return inner.TryRevokeAsync(id, reason, now, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        Counter.Other();
        return inner.RevokeSubjectAsync(subject, reason, now, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        Counter.Other();
        return inner.ListActiveAsync(subject, now, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default)
    {
        Counter.Other();
        return inner.PruneAsync(cutoff, batchSize, cancellationToken);
    }
}
