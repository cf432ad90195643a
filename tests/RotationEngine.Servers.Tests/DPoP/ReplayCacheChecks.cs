using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using RotationEngine.DPoP;

namespace RotationEngine.Servers.Tests.DPoP;

/// <summary>
/// What every shared <see cref="IDPoPReplayCache"/> must do, as checks that the PostgreSQL and Redis caches pass and
/// the deliberately broken caches of <see cref="ReplayCacheTeethTests"/> fail. The clock is a
/// <see cref="FakeTimeProvider"/> years away from the servers' clocks: an entry's life is the caller's time, not the
/// server's.
/// </summary>
internal static class ReplayCacheChecks
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(65);

    public static FakeTimeProvider NewClock() => new(new DateTimeOffset(2031, 5, 1, 0, 0, 0, TimeSpan.Zero));

    public static UInt128 NewKey() => new(BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)), BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)));

    /// <summary>First add accepted, the same key refused until its expiry, another key accepted.</summary>
    public static async Task RefusesALiveKeyAndAcceptsAnother(IDPoPReplayCache cache)
    {
        var time = NewClock();
        var key = NewKey();
        Assert.True(await cache.TryAddAsync(key, time.GetUtcNow(), time.GetUtcNow() + Window), "a fresh key is accepted");
        Assert.False(await cache.TryAddAsync(key, time.GetUtcNow(), time.GetUtcNow() + Window), "the same key at once is a replay");
        time.Advance(Window - TimeSpan.FromMilliseconds(1));
        Assert.False(await cache.TryAddAsync(key, time.GetUtcNow(), time.GetUtcNow() + Window), "the same key 1 ms before its expiry is a replay");
        Assert.True(await cache.TryAddAsync(NewKey(), time.GetUtcNow(), time.GetUtcNow() + Window), "another key is accepted");
    }

    /// <summary>Once the caller's clock reaches the expiry the key is fresh again (and recorded again).</summary>
    public static async Task AcceptsAnExpiredKeyAgain(IDPoPReplayCache cache)
    {
        var time = NewClock();
        var key = NewKey();
        Assert.True(await cache.TryAddAsync(key, time.GetUtcNow(), time.GetUtcNow() + Window));
        time.Advance(Window);
        Assert.True(await cache.TryAddAsync(key, time.GetUtcNow(), time.GetUtcNow() + Window), "a key whose expiry is the caller's now counts as absent");
        Assert.False(await cache.TryAddAsync(key, time.GetUtcNow(), time.GetUtcNow() + Window), "and is recorded again");
    }

    /// <summary>32 callers add one key at once, alternating between two instances (two connections): exactly one is
    /// accepted, in each of <paramref name="rounds"/> rounds.</summary>
    public static async Task RacingCallersAreAcceptedExactlyOnce(IDPoPReplayCache one, IDPoPReplayCache two, int rounds = 10)
    {
        var time = NewClock();
        for (var round = 0; round < rounds; round++)
        {
            var key = NewKey();
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var racers = Enumerable.Range(0, 32).Select(i => Task.Run(async () =>
            {
                await start.Task;
                return await (i % 2 == 0 ? one : two).TryAddAsync(key, time.GetUtcNow(), time.GetUtcNow() + Window);
            })).ToArray();
            start.SetResult();
            var accepted = (await Task.WhenAll(racers)).Count(added => added);
            Assert.True(accepted == 1, $"round {round}: {accepted} of 32 racing callers were accepted; exactly one must be");
        }
    }

    /// <summary>A key added through one instance is refused by another (its own connection), both ways.</summary>
    public static async Task AnotherInstanceRefusesTheKey(IDPoPReplayCache one, IDPoPReplayCache two)
    {
        var time = NewClock();
        var (first, second) = (NewKey(), NewKey());
        Assert.True(await one.TryAddAsync(first, time.GetUtcNow(), time.GetUtcNow() + Window));
        Assert.False(await two.TryAddAsync(first, time.GetUtcNow(), time.GetUtcNow() + Window), "the other instance refuses a key the first accepted");
        Assert.True(await two.TryAddAsync(second, time.GetUtcNow(), time.GetUtcNow() + Window));
        Assert.False(await one.TryAddAsync(second, time.GetUtcNow(), time.GetUtcNow() + Window), "and the other way round");
    }

    /// <summary>A cancelled call throws <see cref="OperationCanceledException"/> and records nothing.</summary>
    public static async Task ACancelledCallRecordsNothing(IDPoPReplayCache cache)
    {
        var time = NewClock();
        var key = NewKey();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.TryAddAsync(key, time.GetUtcNow(), time.GetUtcNow() + Window, cancelled.Token).AsTask());
        Assert.True(await cache.TryAddAsync(key, time.GetUtcNow(), time.GetUtcNow() + Window));
    }
}
