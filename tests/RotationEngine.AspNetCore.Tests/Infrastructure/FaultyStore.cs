using RotationEngine.Storage;

namespace RotationEngine.AspNetCore.Tests.Infrastructure;

/// <summary>What the <see cref="FaultyStore"/> does to the next calls.</summary>
public enum StoreFault
{
    /// <summary>Pass every call through.</summary>
    None,

    /// <summary>Every call throws, as a store that is down (until reset).</summary>
    Down,

    /// <summary>The next rotation is written, then its answer is lost (the connection drops).</summary>
    ResponseLost,
}

/// <summary>
/// Wraps the real store of the server under test: injects store faults (the engine turns them into
/// <see cref="RotationStoreException"/>), can hold a rotation at a gate (for the client-disconnect test) and records the
/// cancellation tokens rotations get. Forwards <see cref="IFamilyStoreInitializer"/> so the start-up check still runs.
/// </summary>
public sealed class FaultyStore(IFamilyStore inner) : IFamilyStore, IFamilyStoreInitializer
{
    private volatile StoreFault _fault;

    public IFamilyStore Inner { get; } = inner;

    public StoreFault Fault { get => _fault; set => _fault = value; }

    /// <summary>When set, rotations wait for it (after <see cref="RotationEntered"/> is signalled).</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Signalled when a rotation reaches the store.</summary>
    public TaskCompletionSource RotationEntered { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether any rotation got a cancellable token.</summary>
    public bool SawCancellableRotation { get; private set; }

    public int Rotations;

    public void ResetSignals() => RotationEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (Inner is IFamilyStoreInitializer initializer)
        {
            await initializer.InitializeAsync(cancellationToken);
        }
    }

    public ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        return Inner.CreateAsync(family, cancellationToken);
    }

    public async ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        SawCancellableRotation |= cancellationToken.CanBeCanceled;
        Interlocked.Increment(ref Rotations);
        RotationEntered.TrySetResult();
        if (Gate is { } gate)
        {
            await gate.Task;
        }

        var result = await Inner.TryRotateAsync(command, cancellationToken);
        if (result is not null && _fault == StoreFault.ResponseLost)
        {
            _fault = StoreFault.None;
            throw new IOException("Injected fault: the connection dropped after the rotation was written.");
        }

        return result;
    }

    public ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        return Inner.FindAsync(id, cancellationToken);
    }

    public ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        return Inner.TryRecordReplayAsync(id, generation, expectedLedger, newLedger, cancellationToken);
    }

    public ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        return Inner.TryRevokeAsync(id, reason, now, cancellationToken);
    }

    public ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        return Inner.RevokeSubjectAsync(subject, reason, now, cancellationToken);
    }

    public ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        return Inner.ListActiveAsync(subject, now, cancellationToken);
    }

    public ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        return Inner.PruneAsync(cutoff, batchSize, cancellationToken);
    }

    private void ThrowIfDown()
    {
        if (_fault == StoreFault.Down)
        {
            throw new TimeoutException("Injected fault: the store did not answer.");
        }
    }
}
