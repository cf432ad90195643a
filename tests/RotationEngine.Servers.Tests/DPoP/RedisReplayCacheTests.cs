using System.Globalization;
using RotationEngine.Redis;
using RotationEngine.Redis.DPoP;
using RotationEngine.Servers.Tests.Infrastructure;
using RotationEngine.Servers.Tests.Redis;
using RotationEngine.Storage;
using StackExchange.Redis;
using static RotationEngine.Servers.Tests.DPoP.ReplayCacheChecks;

namespace RotationEngine.Servers.Tests.DPoP;

/// <summary>The Redis DPoP replay cache on the shared server, each test under a key prefix of its own.</summary>
public sealed class RedisReplayCacheTests : SharedReplayCacheContract<RedisDPoPReplayCache>
{
    protected override string FaultPrefix => "The Redis family store failed during DPoPTryAdd ";

    // About 5 s measured (connect and command timeouts of 1 s, and the driver's retries).
    protected override TimeSpan UnreachableBudget => TimeSpan.FromSeconds(20);

    protected override string NewScope() => RedisStores.NewPrefix();

    protected override Task<RedisDPoPReplayCache> CreateCacheAsync(string scope) => CreateAsync(scope);

    protected override RedisDPoPReplayCache CreateUnreachableCache(int closedPort) => new(new RedisFamilyStoreOptions
    {
        Configuration = TestServers.RedisOnPort(closedPort) + ",connectTimeout=1000,asyncTimeout=1000",
        KeyPrefix = RedisStores.NewPrefix(),
    });

    [Fact]
    public async Task The_key_is_the_prefix_and_32_hex_digits_holding_the_expiry_and_expiring_after_the_window()
    {
        var prefix = RedisStores.NewPrefix();
        await using var cache = await CreateAsync(prefix);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(TestServers.RedisConfiguration);
        var db = connection.GetDatabase();
        var time = NewClock();
        var key = NewKey();
        Assert.True(await cache.TryAddAsync(key, time.GetUtcNow(), time.GetUtcNow() + Window));

        var server = connection.GetServer(connection.GetEndPoints()[0]);
        var keys = server.Keys(pattern: prefix + "*").Select(k => (string)k!).ToList();
        Assert.Equal([$"{prefix}dpop:{key:x32}"], keys);
        Assert.Equal(prefix.Length + "dpop:".Length + 32, keys[0].Length);
        Assert.Equal(FamilyColumns.Milliseconds(time.GetUtcNow() + Window).ToString(CultureInfo.InvariantCulture), (string?)await db.StringGetAsync(keys[0]));
        var life = (await db.KeyTimeToLiveAsync(keys[0]))!.Value;
        Assert.InRange(life, Window - TimeSpan.FromSeconds(10), Window);

        // An entry added already expired is not kept.
        var stale = NewKey();
        Assert.True(await cache.TryAddAsync(stale, time.GetUtcNow(), time.GetUtcNow()));
        Assert.False(await db.KeyExistsAsync($"{prefix}dpop:{stale:x32}"));
    }

    [Fact]
    public async Task A_call_waiting_behind_a_blocked_connection_is_cancelled_promptly_and_never_accepted_twice()
    {
        await TestServers.RequireRedisAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(TestServers.RedisConfiguration);
        await using var cache = new RedisDPoPReplayCache(new RedisFamilyStoreOptions { Connection = connection, KeyPrefix = RedisStores.NewPrefix() });
        var time = NewClock();
        var key = NewKey();

        // A blocking pop on the host's connection holds it for two seconds: the cache's script queues behind it.
        var blocking = connection.GetDatabase().ExecuteAsync("BLPOP", RedisStores.NewPrefix() + "never", 2);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var started = TimeProvider.System.GetTimestamp();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.TryAddAsync(key, time.GetUtcNow(), time.GetUtcNow() + Window, cancel.Token).AsTask());
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(1.5), $"took {TimeProvider.System.GetElapsedTime(started)}");
        await blocking;

        // The script had been sent, so the proof was recorded: it is refused now, never accepted twice.
        Assert.False(await cache.TryAddAsync(key, time.GetUtcNow(), time.GetUtcNow() + Window));
    }

    /// <summary>A cache under <paramref name="prefix"/> (a fresh one unless given), with a connection of its own.</summary>
    internal static async Task<RedisDPoPReplayCache> CreateAsync(string? prefix = null)
    {
        await TestServers.RequireRedisAsync();
        return new RedisDPoPReplayCache(new RedisFamilyStoreOptions { Configuration = TestServers.RedisConfiguration, KeyPrefix = prefix ?? RedisStores.NewPrefix() });
    }
}
