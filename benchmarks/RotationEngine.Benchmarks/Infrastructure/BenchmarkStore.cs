using RotationEngine.Storage;
#if SQLITE_STORE
using RotationEngine.Sqlite;
#endif

namespace RotationEngine.Benchmarks.Infrastructure;

/// <summary>A fresh, empty store of one kind; SQLite files live in a temporary directory deleted on dispose.</summary>
internal sealed class BenchmarkStore : IDisposable
{
    private readonly string? _directory;

    private BenchmarkStore(IFamilyStore store, string? directory)
    {
        Store = store;
        _directory = directory;
    }

    public IFamilyStore Store { get; }

    /// <summary>The SQLite database file, or null for the in-memory store.</summary>
    public string? DatabasePath => _directory is null ? null : Path.Combine(_directory, "families.db");

    /// <summary>The stores this build can run (SQLite only once its store project is in the tree).</summary>
    public static IEnumerable<StoreKind> Available =>
#if SQLITE_STORE
        [StoreKind.InMemory, StoreKind.SqliteNormal, StoreKind.SqliteFull];
#else
        [StoreKind.InMemory];
#endif

    public static BenchmarkStore Create(StoreKind kind)
    {
        if (kind == StoreKind.InMemory)
        {
            return new BenchmarkStore(new InMemoryFamilyStore(), null);
        }

#if SQLITE_STORE
        var directory = Directory.CreateTempSubdirectory("re-bench-").FullName;
        var store = new SqliteFamilyStore(new SqliteStoreOptions
        {
            DatabasePath = Path.Combine(directory, "families.db"),
            Synchronous = kind == StoreKind.SqliteFull ? SqliteSynchronousMode.Full : SqliteSynchronousMode.Normal,
        });
        return new BenchmarkStore(store, directory);
#else
        throw new NotSupportedException($"{kind} needs the SQLite store project (src/RotationEngine.Sqlite).");
#endif
    }

    public void Dispose()
    {
        (Store as IDisposable)?.Dispose();
        if (_directory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
