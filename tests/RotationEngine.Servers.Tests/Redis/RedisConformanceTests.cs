using RotationEngine.Storage;
using RotationEngine.Testing;

namespace RotationEngine.Servers.Tests.Redis;

/// <summary>The whole conformance suite against Redis (a fresh key prefix per store).</summary>
public sealed class RedisConformanceTests : FamilyStoreConformanceTests
{
    protected override async ValueTask<IFamilyStore> CreateStoreAsync() => await RedisStores.CreateAsync();
}
