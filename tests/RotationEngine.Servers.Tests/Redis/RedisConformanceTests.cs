using RotationEngine.Storage;
using RotationEngine.Testing;

namespace RotationEngine.Servers.Tests.Redis;

/// <summary>The whole conformance suite against Redis (a fresh key prefix per store).</summary>
public sealed class RedisConformanceTests : FamilyStoreConformanceTests
{
    /// <summary>More callers than the default, so that racing rotations run on many pooled connections.</summary>
    protected override int Concurrency => 32;

    protected override async ValueTask<IFamilyStore> CreateStoreAsync() => await RedisStores.CreateAsync();
}
