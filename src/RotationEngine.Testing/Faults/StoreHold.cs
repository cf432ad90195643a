namespace RotationEngine.Testing.Faults;

/// <summary>
/// A call held by <see cref="FaultInjectingFamilyStore.HoldNext"/>: it waits, before it reaches the store, until
/// <see cref="Release"/> (or <see cref="Dispose"/>, so that <c>using</c> lets it go when a test fails). For testing what
/// happens while a store call is in flight: a client that disconnects, a concurrent request, a shutdown.
/// </summary>
public sealed class StoreHold : IDisposable
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal StoreHold(StoreOperations operations) => Operations = operations;

    /// <summary>The operations whose next call this hold catches.</summary>
    public StoreOperations Operations { get; }

    /// <summary>Completes when a call has reached the hold and is waiting.</summary>
    public Task Entered => _entered.Task;

    /// <summary>The cancellation token of the held call (valid once <see cref="Entered"/> completed): whether the
    /// caller could cancel the call while it was in flight.</summary>
    public CancellationToken CallToken { get; private set; }

    /// <summary>Lets the held call (or the next one to arrive) go on to the store.</summary>
    public void Release() => _released.TrySetResult();

    /// <summary>Releases the call.</summary>
    public void Dispose() => Release();

    internal async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        CallToken = cancellationToken;
        _entered.TrySetResult();
        await _released.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
