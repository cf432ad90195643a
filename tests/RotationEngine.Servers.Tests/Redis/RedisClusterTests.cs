using RotationEngine.Redis;
using RotationEngine.Servers.Tests.Infrastructure;
using RotationEngine.Storage;
using RotationEngine.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace RotationEngine.Servers.Tests.Redis;

[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterTests(RedisCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task Families_spread_over_the_shards_and_several_engines_share_them()
    {
        cluster.EnsureStarted();
        var prefix = RedisStores.NewPrefix();
        await using var store = new RedisFamilyStore(new RedisFamilyStoreOptions { Configuration = cluster.Configuration, KeyPrefix = prefix });

        await Scenarios.SeveralEnginesShareOneStoreAsync(store);

        // The scenario's families landed on more than one shard, so the cluster really routed them.
        await using var connection = await ConnectionMultiplexer.ConnectAsync(cluster.Configuration);
        var shards = new HashSet<string>();
        foreach (var endPoint in connection.GetEndPoints())
        {
            var server = connection.GetServer(endPoint);
            if (!server.IsReplica && await server.DatabaseSizeAsync() > 0)
            {
                shards.Add(endPoint.ToString()!);
            }
        }

        Assert.True(shards.Count > 1, $"All keys landed on {string.Join(", ", shards)}.");
    }

    [Fact]
    public async Task A_family_key_carries_its_id_as_hash_tag()
    {
        cluster.EnsureStarted();
        var prefix = RedisStores.NewPrefix();
        await using var store = new RedisFamilyStore(new RedisFamilyStoreOptions { Configuration = cluster.Configuration, KeyPrefix = prefix });
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions(), TestKeys.Ring, TimeProvider.System);
        var issued = await engine.IssueAsync("tag", "web");
        await using var connection = await ConnectionMultiplexer.ConnectAsync(cluster.Configuration);

        var slotOfFamily = connection.HashSlot($"{prefix}family:{{{issued.FamilyId}}}");

        Assert.Equal(connection.HashSlot(issued.FamilyId.ToString()), slotOfFamily);
        Assert.True(await connection.GetDatabase().KeyExistsAsync($"{prefix}family:{{{issued.FamilyId}}}"));
    }

    [Fact]
    public async Task Sign_out_everywhere_misses_no_sign_in_racing_the_sessions_page()
    {
        cluster.EnsureStarted();
        await using var store = new RedisFamilyStore(new RedisFamilyStoreOptions { Configuration = cluster.Configuration, KeyPrefix = RedisStores.NewPrefix() });
        await store.InitializeAsync();

        var report = await Scenarios.SignOutEverywhereAfterRacingSignInsAsync(store);

        output.WriteLine(report.ToString());
        report.AssertNoneMissed();
    }

    [Fact]
    public async Task A_reader_between_the_two_halves_of_Create_cannot_lose_the_family()
    {
        cluster.EnsureStarted();
        var prefix = RedisStores.NewPrefix();
        await using var inner = new RedisFamilyStore(new RedisFamilyStoreOptions { Configuration = cluster.Configuration, KeyPrefix = prefix });
        var subject = "seam-" + Guid.NewGuid().ToString("N");
        RefreshTokenEngine engine = null!;
        var windows = 0;
        var split = new SplitCreateStore(inner, async family =>
        {
            Assert.Empty(await engine.ListFamiliesAsync(subject));
            Assert.Equal(0, await engine.RevokeSubjectAsync(subject, RevocationReason.SignOut));
            windows++;
        });
        engine = new RefreshTokenEngine(split, new RotationEngineOptions(), TestKeys.Ring, TimeProvider.System);
        var issued = await engine.IssueAsync(subject, "web");

        // The index (on its own slot) kept the id across the window, so a RevokeSubject after Create finds it.
        Assert.Equal(1, windows);
        Assert.Equal(1, await engine.RevokeSubjectAsync(subject, RevocationReason.CredentialsChanged));
        Assert.Equal(RotationOutcome.Revoked, (await engine.RotateAsync(issued.Token, "web")).Outcome);
    }

    [Fact]
    public async Task InitializeAsync_loads_the_scripts_on_every_shard()
    {
        cluster.EnsureStarted();
        await using var store = new RedisFamilyStore(new RedisFamilyStoreOptions { Configuration = cluster.Configuration, KeyPrefix = RedisStores.NewPrefix() });

        await store.InitializeAsync();

        await using var connection = await ConnectionMultiplexer.ConnectAsync(cluster.Configuration);
        var primaries = connection.GetEndPoints().Select(endPoint => connection.GetServer(endPoint)).Where(server => !server.IsReplica).ToList();
        Assert.Equal(3, primaries.Count);
        foreach (var server in primaries)
        {
            foreach (var script in RotationEngine.Redis.Internal.RedisScripts.All)
            {
                Assert.True(await server.ScriptExistsAsync(script.Sha1), $"{server.EndPoint} lacks a script.");
            }
        }
    }
}
