namespace Simulator.Stores;

/// <summary>Counts store calls (thread-safe, for stress mode as well).</summary>
internal sealed class StoreOperationCounter
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Increment() => Interlocked.Increment(ref _count);
}
