using System.Collections.Concurrent;
using RotationEngine.Storage;

namespace RotationEngine.DPoP;

/// <summary>
/// The in-process <see cref="IDPoPReplayCache"/>: right for a single server instance only. Memory is bounded: an entry
/// lives until the end of its proof's acceptance window (about a minute by default) and is swept after it, and at most
/// <see cref="Capacity"/> entries are held. When the cache is full of live entries it refuses to answer
/// (<see cref="RotationStoreException"/>, answered 503 with <c>Retry-After</c>) rather than forget a live entry, which
/// would let that proof be replayed.
/// </summary>
public sealed class InMemoryDPoPReplayCache : IDPoPReplayCache
{
    /// <summary>The default <see cref="Capacity"/>: 1,000,000 entries (about 100 MB at most; 1,000 proofs per second
    /// with a 70-second window hold 70,000).</summary>
    public const int DefaultCapacity = 1_000_000;

    private readonly ConcurrentDictionary<UInt128, long> _entries = new();
    private readonly Lock _sweepLock = new();
    private int _count;
    private long _nextSweep;

    /// <summary>Creates the cache.</summary>
    /// <param name="capacity">The most entries held; at least 1.</param>
    public InMemoryDPoPReplayCache(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>The most entries held at once.</summary>
    public int Capacity { get; }

    /// <summary>The entries held now (live or not yet swept).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <inheritdoc />
    public ValueTask<bool> TryAddAsync(UInt128 proofKey, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var expiresMs = expiresAt.ToUnixTimeMilliseconds();
        if (nowMs >= Volatile.Read(ref _nextSweep))
        {
            Sweep(nowMs);
        }

        while (true)
        {
            if (_entries.TryGetValue(proofKey, out var existing))
            {
                if (existing > nowMs)
                {
                    return ValueTask.FromResult(false);
                }

                if (_entries.TryUpdate(proofKey, expiresMs, existing))
                {
                    return ValueTask.FromResult(true);
                }

                continue;
            }

            if (Volatile.Read(ref _count) >= Capacity)
            {
                Sweep(nowMs);
                if (Volatile.Read(ref _count) >= Capacity)
                {
                    throw new RotationStoreException($"The in-memory DPoP replay cache is full ({Capacity} live proofs); raise its capacity or use a shared cache.");
                }
            }

            if (_entries.TryAdd(proofKey, expiresMs))
            {
                Interlocked.Increment(ref _count);
                return ValueTask.FromResult(true);
            }
        }
    }

    private void Sweep(long nowMs)
    {
        if (!_sweepLock.TryEnter())
        {
            return;
        }

        try
        {
            // At most one sweep per second; each is one pass over the live entries.
            Volatile.Write(ref _nextSweep, nowMs + 1000);
            foreach (var (key, expires) in _entries)
            {
                if (expires <= nowMs && _entries.TryRemove(new KeyValuePair<UInt128, long>(key, expires)))
                {
                    Interlocked.Decrement(ref _count);
                }
            }
        }
        finally
        {
            _sweepLock.Exit();
        }
    }
}
