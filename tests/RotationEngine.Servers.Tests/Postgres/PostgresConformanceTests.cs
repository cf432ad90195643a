using RotationEngine.Storage;
using RotationEngine.Testing;

namespace RotationEngine.Servers.Tests.Postgres;

/// <summary>The whole conformance suite against PostgreSQL (a fresh table per store).</summary>
public sealed class PostgresConformanceTests : FamilyStoreConformanceTests
{
    protected override async ValueTask<IFamilyStore> CreateStoreAsync() => await PostgresStores.CreateAsync();
}
