using RotationEngine.Storage;

namespace RotationEngine.Testing.Faults;

/// <summary>
/// Wraps a store to make it fail the way a real one does, for testing what an engine or a host does with store
/// faults: calls that fail before they reach the store (a database that is down or timed out), a write that lands
/// but whose answer is lost (the connection dropped on the way back), latency, and a call held in flight until the
/// test lets it go. Failures are thrown as <see cref="TimeoutException"/> and lost answers as <see cref="IOException"/>:
/// the engine reports both as <see cref="RotationStoreException"/> (outcome unknown). Faults can be armed from any
/// thread while calls run. Forwards <see cref="IFamilyStoreInitializer"/>, so a host's start-up check still runs.
/// </summary>
/// <example><code>
/// var store = new FaultInjectingFamilyStore(new MyFamilyStore());
/// store.LoseNextResponse(StoreOperations.Rotate);   // the rotation is written, its answer lost
/// // the engine answers RotationStoreException; a retry with the same token replays the rotation that happened
/// </code></example>
public sealed class FaultInjectingFamilyStore : IFamilyStore, IFamilyStoreInitializer
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly List<(StoreOperations Operations, int Remaining)> _failures = [];
    private readonly List<StoreOperations> _lostResponses = [];
    private readonly List<StoreHold> _holds = [];
    private bool _down;
    private TimeSpan _latency;
    private StoreOperations _cancellable;

    /// <summary>Wraps <paramref name="inner"/>, passing every call through until a fault is armed.</summary>
    /// <param name="inner">The store to call.</param>
    /// <param name="timeProvider">The clock <see cref="Latency"/> waits on (the system clock if null).</param>
    public FaultInjectingFamilyStore(IFamilyStore inner, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The wrapped store, to read or arrange state behind the faults' back.</summary>
    public IFamilyStore Inner { get; }

    /// <summary>While true, every call fails with a <see cref="TimeoutException"/> and changes nothing: a store that
    /// is down.</summary>
    public bool IsDown
    {
        get { lock (_lock) { return _down; } }
        set { lock (_lock) { _down = value; } }
    }

    /// <summary>Waited before every call (on the clock given to the constructor); zero for none.</summary>
    public TimeSpan Latency
    {
        get { lock (_lock) { return _latency; } }
        set { lock (_lock) { _latency = value; } }
    }

    /// <summary>The operations that were called at least once with a cancellation token that can be cancelled. The
    /// engine gives its writes none, so that a caller who goes away cannot cut a write off half-way.</summary>
    public StoreOperations CancellableCalls
    {
        get { lock (_lock) { return _cancellable; } }
    }

    /// <summary>The next <paramref name="count"/> calls of any of <paramref name="operations"/> fail with a
    /// <see cref="TimeoutException"/> before they reach the store.</summary>
    /// <param name="operations">Which calls count (every operation by default).</param>
    /// <param name="count">How many calls fail.</param>
    public void FailNext(StoreOperations operations = StoreOperations.All, int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        lock (_lock)
        {
            _failures.Add((operations, count));
        }
    }

    /// <summary>The next call of one of <paramref name="operations"/> that takes effect (a rotation or replay
    /// written, a family created, revoked or pruned) takes effect in the store, and then its answer is lost: it fails
    /// with an <see cref="IOException"/>, as when the connection drops after the commit. A call that changed nothing
    /// (a rotation refused because the generation moved on) is answered as usual and leaves the fault armed.</summary>
    /// <param name="operations">Which calls count (rotations by default).</param>
    public void LoseNextResponse(StoreOperations operations = StoreOperations.Rotate)
    {
        lock (_lock)
        {
            _lostResponses.Add(operations);
        }
    }

    /// <summary>The next call of one of <paramref name="operations"/> waits, before it reaches the store, until the
    /// returned hold is released.</summary>
    /// <param name="operations">Which calls count (rotations by default).</param>
    /// <returns>The hold: await <see cref="StoreHold.Entered"/>, then <see cref="StoreHold.Release"/>.</returns>
    public StoreHold HoldNext(StoreOperations operations = StoreOperations.Rotate)
    {
        var hold = new StoreHold(operations);
        lock (_lock)
        {
            _holds.Add(hold);
        }

        return hold;
    }

    /// <summary>Clears every fault: not down, no latency, no failures or lost answers pending; releases the holds
    /// not yet reached.</summary>
    public void Heal()
    {
        List<StoreHold> holds;
        lock (_lock)
        {
            _down = false;
            _latency = TimeSpan.Zero;
            _failures.Clear();
            _lostResponses.Clear();
            holds = [.. _holds];
            _holds.Clear();
        }

        holds.ForEach(h => h.Release());
    }

    /// <inheritdoc />
    public async ValueTask InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (Inner is IFamilyStoreInitializer initializer)
        {
            await initializer.InitializeAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default)
    {
        await EnterAsync(StoreOperations.Create, cancellationToken).ConfigureAwait(false);
        await Inner.CreateAsync(family, cancellationToken).ConfigureAwait(false);
        Answer(StoreOperations.Create, tookEffect: true);
    }

    /// <inheritdoc />
    public async ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default)
    {
        await EnterAsync(StoreOperations.Rotate, cancellationToken).ConfigureAwait(false);
        var written = await Inner.TryRotateAsync(command, cancellationToken).ConfigureAwait(false);
        Answer(StoreOperations.Rotate, tookEffect: written is not null);
        return written;
    }

    /// <inheritdoc />
    public async ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default)
    {
        await EnterAsync(StoreOperations.Find, cancellationToken).ConfigureAwait(false);
        var found = await Inner.FindAsync(id, cancellationToken).ConfigureAwait(false);
        Answer(StoreOperations.Find, tookEffect: true);
        return found;
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default)
    {
        await EnterAsync(StoreOperations.RecordReplay, cancellationToken).ConfigureAwait(false);
        var recorded = await Inner.TryRecordReplayAsync(id, generation, expectedLedger, newLedger, cancellationToken).ConfigureAwait(false);
        Answer(StoreOperations.RecordReplay, recorded);
        return recorded;
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await EnterAsync(StoreOperations.Revoke, cancellationToken).ConfigureAwait(false);
        var revoked = await Inner.TryRevokeAsync(id, reason, now, cancellationToken).ConfigureAwait(false);
        Answer(StoreOperations.Revoke, revoked);
        return revoked;
    }

    /// <inheritdoc />
    public async ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await EnterAsync(StoreOperations.RevokeSubject, cancellationToken).ConfigureAwait(false);
        var revoked = await Inner.RevokeSubjectAsync(subject, reason, now, cancellationToken).ConfigureAwait(false);
        Answer(StoreOperations.RevokeSubject, revoked > 0);
        return revoked;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await EnterAsync(StoreOperations.ListActive, cancellationToken).ConfigureAwait(false);
        var active = await Inner.ListActiveAsync(subject, now, cancellationToken).ConfigureAwait(false);
        Answer(StoreOperations.ListActive, tookEffect: true);
        return active;
    }

    /// <inheritdoc />
    public async ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default)
    {
        await EnterAsync(StoreOperations.Prune, cancellationToken).ConfigureAwait(false);
        var deleted = await Inner.PruneAsync(cutoff, batchSize, cancellationToken).ConfigureAwait(false);
        Answer(StoreOperations.Prune, deleted > 0);
        return deleted;
    }

    /// <summary>What happens before a call reaches the store: latency, a hold, a failure. Completes synchronously
    /// when none is armed, so an unfaulted store keeps its synchronous completions.</summary>
    private async ValueTask EnterAsync(StoreOperations operation, CancellationToken cancellationToken)
    {
        TimeSpan latency;
        StoreHold? hold;
        lock (_lock)
        {
            if (cancellationToken.CanBeCanceled)
            {
                _cancellable |= operation;
            }

            latency = _latency;
            hold = Take(_holds, h => (h.Operations & operation) != 0);
        }

        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, _time, cancellationToken).ConfigureAwait(false);
        }

        if (hold is not null)
        {
            await hold.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        lock (_lock)
        {
            if (!_down && !TakeFailure(operation))
            {
                return;
            }
        }

        throw new TimeoutException("Injected fault: the store did not answer.");
    }

    /// <summary>After the store answered: loses the answer if a lost response is armed for the operation and the
    /// call took effect.</summary>
    private void Answer(StoreOperations operation, bool tookEffect)
    {
        if (!tookEffect)
        {
            return;
        }

        lock (_lock)
        {
            var armed = _lostResponses.FindIndex(o => (o & operation) != 0);
            if (armed < 0)
            {
                return;
            }

            _lostResponses.RemoveAt(armed);
        }

        throw new IOException($"Injected fault: the connection dropped after the store's {operation} took effect.");
    }

    private bool TakeFailure(StoreOperations operation)
    {
        var armed = _failures.FindIndex(f => (f.Operations & operation) != 0);
        if (armed < 0)
        {
            return false;
        }

        var (operations, remaining) = _failures[armed];
        if (remaining == 1)
        {
            _failures.RemoveAt(armed);
        }
        else
        {
            _failures[armed] = (operations, remaining - 1);
        }

        return true;
    }

    private static T? Take<T>(List<T> items, Predicate<T> match)
        where T : class
    {
        var index = items.FindIndex(match);
        if (index < 0)
        {
            return null;
        }

        var item = items[index];
        items.RemoveAt(index);
        return item;
    }
}
