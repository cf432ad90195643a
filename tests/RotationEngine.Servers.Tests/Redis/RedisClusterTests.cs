using RotationEngine.Redis;
using RotationEngine.Servers.Tests.Infrastructure;
using RotationEngine.Storage;
using RotationEngine.Testing;
using StackExchange.Redis;

namespace RotationEngine.Servers.Tests.Redis;

/// <summary>The whole conformance suite against a three-shard Redis Cluster: every script names one key, and a
/// family's keys share its hash tag, so no operation is refused as CROSSSLOT.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterConformanceTests(RedisCluster cluster) : FamilyStoreConformanceTests
{
    protected override async ValueTask<IFamilyStore> CreateStoreAsync()
    {
        cluster.EnsureStarted();
        await Task.CompletedTask;
        return new RedisFamilyStore(new RedisFamilyStoreOptions { Configuration = cluster.Configuration, KeyPrefix = RedisStores.NewPrefix() });
    }
}

[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterTests(RedisCluster cluster)
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
}
