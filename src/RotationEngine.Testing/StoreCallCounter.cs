namespace RotationEngine.Testing;

/// <summary>Counts store calls by kind, thread-safely. One counter may be shared by several
/// <see cref="CountingFamilyStore"/> decorators (several engine instances on one store, say).</summary>
public sealed class StoreCallCounter
{
    private long _creates;
    private long _rotates;
    private long _finds;
    private long _replays;
    private long _revokes;
    private long _others;

    /// <summary>Calls to <see cref="Storage.IFamilyStore.CreateAsync"/>.</summary>
    public long Creates => Interlocked.Read(ref _creates);

    /// <summary>Calls to <see cref="Storage.IFamilyStore.TryRotateAsync"/>.</summary>
    public long Rotates => Interlocked.Read(ref _rotates);

    /// <summary>Calls to <see cref="Storage.IFamilyStore.FindAsync"/>.</summary>
    public long Finds => Interlocked.Read(ref _finds);

    /// <summary>Calls to <see cref="Storage.IFamilyStore.TryRecordReplayAsync"/>.</summary>
    public long Replays => Interlocked.Read(ref _replays);

    /// <summary>Calls to <see cref="Storage.IFamilyStore.TryRevokeAsync"/>.</summary>
    public long Revokes => Interlocked.Read(ref _revokes);

    /// <summary>Calls to the other operations (revoke a subject, list, prune).</summary>
    public long Others => Interlocked.Read(ref _others);

    /// <summary>Calls of every kind.</summary>
    public long Count => Creates + Rotates + Finds + Replays + Revokes + Others;

    internal void Created() => Interlocked.Increment(ref _creates);

    internal void Rotated() => Interlocked.Increment(ref _rotates);

    internal void Found() => Interlocked.Increment(ref _finds);

    internal void Replayed() => Interlocked.Increment(ref _replays);

    internal void Revoked() => Interlocked.Increment(ref _revokes);

    internal void Other() => Interlocked.Increment(ref _others);
}
