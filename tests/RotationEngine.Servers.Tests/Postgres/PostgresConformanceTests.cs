using RotationEngine.Storage;
using RotationEngine.Testing;

namespace RotationEngine.Servers.Tests.Postgres;

/// <summary>The whole conformance suite against PostgreSQL (a fresh table per store).</summary>
public sealed class PostgresConformanceTests : FamilyStoreConformanceTests
{
    /// <summary>More callers than the default, so that racing rotations run on many pooled connections.</summary>
    protected override int Concurrency => 32;

    protected override async ValueTask<IFamilyStore> CreateStoreAsync() => await PostgresStores.CreateAsync();
}
