using RotationEngine.Redis;
using RotationEngine.Servers.Tests.Infrastructure;
using RotationEngine.Storage;
using RotationEngine.Testing;

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
