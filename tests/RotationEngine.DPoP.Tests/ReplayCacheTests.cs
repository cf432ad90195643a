using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RotationEngine.AspNetCore.Tests.Infrastructure;
using RotationEngine.DPoP;
using RotationEngine.Sqlite;
using RotationEngine.Sqlite.DPoP;
using RotationEngine.Storage;
using static RotationEngine.DPoP.Tests.DPoPRefreshTests;

namespace RotationEngine.DPoP.Tests;

/// <summary>The replay caches: the in-memory default's bounds, and the SQLite one shared by two server instances.</summary>
public sealed class ReplayCacheTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task In_memory_entries_live_until_their_expiry_then_the_key_is_fresh_again()
    {
        var cache = new InMemoryDPoPReplayCache();
        Assert.True(await cache.TryAddAsync(1, Now, Now.AddSeconds(60)));
        Assert.False(await cache.TryAddAsync(1, Now.AddSeconds(59), Now.AddSeconds(119)));
        Assert.True(await cache.TryAddAsync(1, Now.AddSeconds(60), Now.AddSeconds(120)));
        Assert.True(await cache.TryAddAsync(2, Now, Now.AddSeconds(60)));
    }

    [Fact]
    public async Task In_memory_cache_full_of_live_entries_refuses_rather_than_forget_one()
    {
        var cache = new InMemoryDPoPReplayCache(capacity: 2);
        Assert.True(await cache.TryAddAsync(1, Now, Now.AddSeconds(60)));
        Assert.True(await cache.TryAddAsync(2, Now, Now.AddSeconds(60)));
        await Assert.ThrowsAsync<RotationStoreException>(() => cache.TryAddAsync(3, Now, Now.AddSeconds(60)).AsTask());
        Assert.False(await cache.TryAddAsync(1, Now, Now.AddSeconds(60)));

        // Once the entries expire the sweep frees them.
        Assert.True(await cache.TryAddAsync(3, Now.AddSeconds(61), Now.AddSeconds(121)));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task A_full_cache_is_503_with_Retry_After_and_no_state_change()
    {
        await using var host = await AuthServerHost.StartAsync(Transport.TestServer, services: s => s.Replace(ServiceDescriptor.Singleton<IDPoPReplayCache>(new InMemoryDPoPReplayCache(capacity: 2))));
        using var key = ProofMaker.Es256();
        var token = await BoundSignInAsync(host, key);
        var first = await RefreshAsync(host, token, key.Proof(Url(host, "oauth/token"), host.Time.GetUtcNow()));
        Assert.False(first.IsError, first.Error);
        var before = await host.FamilyOfAsync(first.RefreshToken!);

        var full = await RefreshAsync(host, first.RefreshToken!, key.Proof(Url(host, "oauth/token"), host.Time.GetUtcNow()));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, full.HttpStatusCode);
        Assert.NotNull(full.HttpResponse!.Headers.RetryAfter);
        Assert.Equal(before, await host.FamilyOfAsync(first.RefreshToken!));

        host.Time.Advance(TimeSpan.FromSeconds(70));
        var later = await RefreshAsync(host, first.RefreshToken!, key.Proof(Url(host, "oauth/token"), host.Time.GetUtcNow()));
        Assert.False(later.IsError, later.Error);
    }

    [Fact]
    public async Task Two_instances_sharing_one_SQLite_store_refuse_a_proof_replayed_across_them()
    {
        var data = Path.Combine(Path.GetTempPath(), "re-dpop-tests", Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?> { ["AuthServer:DataDirectory"] = data, ["AuthServer:DPoPReplayCache"] = "store" };
        await using var a = await AuthServerHost.StartAsync(Transport.TestServer, settings);
        await using var b = await AuthServerHost.StartAsync(Transport.TestServer, settings);
        Assert.IsType<SqliteDPoPReplayCache>(a.Services.GetRequiredService<IDPoPReplayCache>());
        using var key = ProofMaker.Es256();
        var token = await BoundSignInAsync(a, key);

        var proof = key.Proof(Url(a, "oauth/token"), a.Time.GetUtcNow());
        var atA = await RefreshAsync(a, token, proof);
        Assert.False(atA.IsError, atA.Error);

        var replayAtB = await RefreshAsync(b, atA.RefreshToken!, proof);
        Assert.Equal("invalid_dpop_proof", replayAtB.Error);
        Assert.Equal(1, (await b.FamilyOfAsync(atA.RefreshToken!)).Generation);

        var freshAtB = await RefreshAsync(b, atA.RefreshToken!, key.Proof(Url(b, "oauth/token"), b.Time.GetUtcNow()));
        Assert.False(freshAtB.IsError, freshAtB.Error);
        Assert.Equal(2, (await a.FamilyOfAsync(freshAtB.RefreshToken!)).Generation);
    }

    [Fact]
    public async Task Racing_instances_accept_a_proof_exactly_once()
    {
        var path = Path.Combine(Path.GetTempPath(), "re-dpop-tests", Guid.NewGuid().ToString("N") + ".db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var options = new SqliteFamilyStoreOptions { DatabasePath = path };
        using var one = new SqliteDPoPReplayCache(options);
        using var two = new SqliteDPoPReplayCache(options);
        for (UInt128 key = 0; key < 50; key++)
        {
            var k = key;
            var results = await Task.WhenAll(
                Task.Run(() => one.TryAddAsync(k, Now, Now.AddSeconds(60)).AsTask()),
                Task.Run(() => two.TryAddAsync(k, Now, Now.AddSeconds(60)).AsTask()));
            Assert.Single(results, r => r);
        }

        Assert.True(await one.TryAddAsync(7, Now.AddSeconds(60), Now.AddSeconds(120)));
        Assert.Equal(50, two.Count());
    }
}
