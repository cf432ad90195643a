using RotationEngine.Storage;
using RotationEngine.Testing;

namespace RotationEngine.Sqlite.Tests;

/// <summary>The lead's store conformance suite against a SQLite file (one fresh file per store).</summary>
public sealed class SqliteConformanceTests : FamilyStoreConformanceTests
{
    private readonly List<TestDatabase> _databases = [];

    protected override ValueTask<IFamilyStore> CreateStoreAsync()
    {
        var database = new TestDatabase();
        _databases.Add(database);
        return ValueTask.FromResult<IFamilyStore>(database.OpenStore());
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var database in _databases)
        {
            database.Dispose();
        }
    }
}
