using System.Net;
using System.Net.Sockets;
using RotationEngine.DPoP;
using RotationEngine.Storage;
using static RotationEngine.Servers.Tests.DPoP.ReplayCacheChecks;

namespace RotationEngine.Servers.Tests.DPoP;

/// <summary>
/// <see cref="ReplayCacheChecks"/> as facts, run for each shared cache on its real server. A <em>scope</em> is what
/// separates deployments on one server (a PostgreSQL table name, a Redis key prefix); each test takes fresh ones.
/// </summary>
/// <typeparam name="TCache">The cache under test.</typeparam>
public abstract class SharedReplayCacheContract<TCache>
    where TCache : IDPoPReplayCache, IAsyncDisposable
{
    /// <summary>How the cache's faults begin (the store's fault text and the operation).</summary>
    protected abstract string FaultPrefix { get; }

    /// <summary>How long an unreachable server may take to fail (its connect and command timeouts, and the driver's
    /// retries); the point is that nothing hangs.</summary>
    protected abstract TimeSpan UnreachableBudget { get; }

    /// <summary>A scope no other test uses.</summary>
    protected abstract string NewScope();

    /// <summary>A cache on the shared server, in <paramref name="scope"/>, with a connection (pool) of its own.</summary>
    protected abstract Task<TCache> CreateCacheAsync(string scope);

    /// <summary>A cache whose server is <paramref name="closedPort"/> on the loopback, where nothing listens.</summary>
    protected abstract TCache CreateUnreachableCache(int closedPort);

    [Fact]
    public async Task A_live_key_is_refused_and_another_accepted()
    {
        await using var cache = await CreateCacheAsync(NewScope());
        await RefusesALiveKeyAndAcceptsAnother(cache);
    }

    [Fact]
    public async Task An_expired_key_is_accepted_again()
    {
        await using var cache = await CreateCacheAsync(NewScope());
        await AcceptsAnExpiredKeyAgain(cache);
    }

    [Fact]
    public async Task Racing_callers_on_two_connections_are_accepted_exactly_once()
    {
        var scope = NewScope();
        await using var one = await CreateCacheAsync(scope);
        await using var two = await CreateCacheAsync(scope);
        await RacingCallersAreAcceptedExactlyOnce(one, two);
    }

    [Fact]
    public async Task Another_instance_refuses_a_key_the_first_accepted_but_another_scope_does_not()
    {
        var scope = NewScope();
        await using var one = await CreateCacheAsync(scope);
        await using var two = await CreateCacheAsync(scope);
        await AnotherInstanceRefusesTheKey(one, two);

        // Another scope is another deployment.
        await using var other = await CreateCacheAsync(NewScope());
        var time = NewClock();
        var key = NewKey();
        Assert.True(await one.TryAddAsync(key, time.GetUtcNow(), time.GetUtcNow() + Window));
        Assert.True(await other.TryAddAsync(key, time.GetUtcNow(), time.GetUtcNow() + Window));
    }

    [Fact]
    public async Task A_cancelled_call_records_nothing()
    {
        await using var cache = await CreateCacheAsync(NewScope());
        await ACancelledCallRecordsNothing(cache);
    }

    [Fact]
    public async Task An_unreachable_server_is_a_RotationStoreException_within_the_timeouts()
    {
        await using var cache = CreateUnreachableCache(ClosedPort());
        var time = NewClock();
        var started = TimeProvider.System.GetTimestamp();

        var fault = await Assert.ThrowsAsync<RotationStoreException>(() => cache.TryAddAsync(NewKey(), time.GetUtcNow(), time.GetUtcNow() + Window).AsTask());

        Assert.True(TimeProvider.System.GetElapsedTime(started) < UnreachableBudget, $"took {TimeProvider.System.GetElapsedTime(started)}");
        Assert.StartsWith(FaultPrefix, fault.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("rotation-engine-test", fault.Message, StringComparison.Ordinal);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
