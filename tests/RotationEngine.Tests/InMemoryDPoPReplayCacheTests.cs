using RotationEngine.DPoP;
using RotationEngine.Storage;

namespace RotationEngine.Tests;

/// <summary>The in-memory DPoP replay cache: a proof is accepted once while live and again from its expiry
/// millisecond on, expired entries are swept at most once a second (and before a full cache refuses), a cache full of
/// live entries refuses rather than forget one, and concurrent presentations of one proof are accepted exactly once.</summary>
public sealed class InMemoryDPoPReplayCacheTests
{
    private const long T = 1_767_225_600_000;

    [Fact]
    public void Capacity_is_at_least_one_and_a_million_by_default()
    {
        Assert.Throws<ArgumentOutOfRangeException>("capacity", () => new InMemoryDPoPReplayCache(0));
        Assert.Equal(1, new InMemoryDPoPReplayCache(1).Capacity);
        Assert.Equal(1_000_000, new InMemoryDPoPReplayCache().Capacity);
    }

    [Fact]
    public async Task A_proof_is_refused_while_live_and_accepted_again_from_its_expiry_millisecond()
    {
        var cache = new InMemoryDPoPReplayCache();
        Assert.True(await cache.TryAddAsync(1, At(0), At(100)));
        Assert.Equal(1, cache.Count);
        Assert.False(await cache.TryAddAsync(1, At(99), At(1_099)));

        // Within the sweep's second the expired entry is still held, and is renewed in place.
        Assert.True(await cache.TryAddAsync(1, At(100), At(600)));
        Assert.Equal(1, cache.Count);
        Assert.False(await cache.TryAddAsync(1, At(599), At(1_599)));
        Assert.True(await cache.TryAddAsync(2, At(599), At(1_599)));
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public async Task Expired_entries_are_swept_at_most_once_a_second_and_from_their_expiry_millisecond()
    {
        var cache = new InMemoryDPoPReplayCache();
        Assert.True(await cache.TryAddAsync(1, At(0), At(500)));

        // The first call swept (nothing); the next sweep is due one second later, not before.
        Assert.True(await cache.TryAddAsync(2, At(999), At(5_000)));
        Assert.Equal(2, cache.Count);
        Assert.True(await cache.TryAddAsync(3, At(1_000), At(5_000)));
        Assert.Equal(2, cache.Count);

        Assert.True(await cache.TryAddAsync(4, At(1_000), At(2_000)));
        Assert.Equal(3, cache.Count);
        Assert.True(await cache.TryAddAsync(5, At(2_000), At(9_000)));
        Assert.Equal(3, cache.Count);

        // Swept keys are fresh again; the live ones are still refused.
        Assert.True(await cache.TryAddAsync(1, At(2_000), At(9_000)));
        Assert.True(await cache.TryAddAsync(4, At(2_000), At(9_000)));
        Assert.False(await cache.TryAddAsync(2, At(2_000), At(9_000)));
        Assert.False(await cache.TryAddAsync(3, At(4_999), At(9_000)));
        Assert.Equal(5, cache.Count);
    }

    [Fact]
    public async Task A_full_cache_sweeps_before_it_refuses_and_refuses_without_forgetting()
    {
        var cache = new InMemoryDPoPReplayCache(capacity: 2);
        Assert.True(await cache.TryAddAsync(1, At(0), At(100)));
        Assert.True(await cache.TryAddAsync(2, At(0), At(5_000)));

        // The once-a-second sweep is not due; the full cache sweeps now and frees the expired entry.
        Assert.True(await cache.TryAddAsync(3, At(200), At(5_000)));
        Assert.Equal(2, cache.Count);

        var full = await Assert.ThrowsAsync<RotationStoreException>(() => cache.TryAddAsync(4, At(300), At(5_000)).AsTask());
        Assert.Equal("The in-memory DPoP replay cache is full (2 live proofs); raise its capacity or use a shared cache.", full.Message);
        Assert.Equal(2, cache.Count);
        Assert.False(await cache.TryAddAsync(3, At(300), At(5_000)));
        Assert.False(await cache.TryAddAsync(2, At(300), At(5_000)));
    }

    [Fact]
    public void A_sweep_on_one_thread_leaves_the_next_sweep_to_any_thread()
    {
        var cache = new InMemoryDPoPReplayCache();
        OnNewThread(() => Assert.True(Add(cache, 1, At(0), At(100))));
        OnNewThread(() => Assert.True(Add(cache, 2, At(1_000), At(5_000))));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Of_concurrent_presentations_of_one_proof_exactly_one_is_accepted()
    {
        // Capacity 1: a presentation that lost the race and then took the cache for full would throw.
        var cache = new InMemoryDPoPReplayCache(capacity: 1);
        Assert.True(Add(cache, 7, At(0), At(1)));
        const int Threads = 4;
        using var barrier = new Barrier(Threads);
        var accepted = new int[999];
        Exception? failure = null;
        var threads = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
        {
            try
            {
                // Round r renews the proof that round r - 1 left expiring at exactly r, within the sweep's second.
                for (var round = 1; round < accepted.Length; round++)
                {
                    barrier.SignalAndWait();
                    if (Add(cache, 7, At(round), At(round + 1)))
                    {
                        Interlocked.Increment(ref accepted[round]);
                    }
                }
            }
            catch (Exception e)
            {
                failure ??= e;
                barrier.RemoveParticipant();
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Null(failure);
        Assert.All(accepted.Skip(1), n => Assert.Equal(1, n));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Concurrent_sweeps_never_fail_a_call()
    {
        var cache = new InMemoryDPoPReplayCache();
        for (var key = 0; key < 20_000; key++)
        {
            Assert.True(Add(cache, (UInt128)key, At(0), At(10_000_000)));
        }

        // Every call is a second past the last, so every call wants to sweep 20,000 entries: they overlap.
        var clock = 0L;
        Exception? failure = null;
        var refused = 0;
        var threads = Enumerable.Range(0, 4).Select(worker => new Thread(() =>
        {
            try
            {
                for (var i = 0; i < 100; i++)
                {
                    var now = At(Interlocked.Add(ref clock, 1_000));
                    if (!Add(cache, (UInt128)(1_000_000 + worker * 1_000 + i), now, At(10_000_000)))
                    {
                        Interlocked.Increment(ref refused);
                    }
                }
            }
            catch (Exception e)
            {
                failure ??= e;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Null(failure);
        Assert.Equal(0, refused);
        Assert.Equal(20_400, cache.Count);
    }

    private static DateTimeOffset At(long offsetMs) => DateTimeOffset.FromUnixTimeMilliseconds(T + offsetMs);

    // The cache completes synchronously; dedicated threads make "another thread" certain.
    private static bool Add(InMemoryDPoPReplayCache cache, UInt128 key, DateTimeOffset now, DateTimeOffset expiresAt)
    {
        var pending = cache.TryAddAsync(key, now, expiresAt);
        Assert.True(pending.IsCompleted);
        return pending.Result;
    }

    private static void OnNewThread(Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        Assert.Null(failure);
    }
}
