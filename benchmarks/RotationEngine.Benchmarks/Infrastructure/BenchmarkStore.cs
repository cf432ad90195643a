using RotationEngine.Storage;
#if SQLITE_STORE
using RotationEngine.Postgres;
using RotationEngine.Redis;
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

    /// <summary>The stores this build and environment can run: in memory always; SQLite once its project is in
    /// the tree; PostgreSQL and Redis when <c>ROTATION_POSTGRES</c> / <c>ROTATION_REDIS</c> name a server
    /// (<c>eval "$(eng/servers.sh start)"</c>). <c>ROTATION_BENCH_STORES=Postgres,Redis</c> narrows the list.</summary>
    public static IEnumerable<StoreKind> Available
    {
        get
        {
            var kinds = new List<StoreKind> { StoreKind.InMemory };
#if SQLITE_STORE
            kinds.AddRange([StoreKind.SqliteNormal, StoreKind.SqliteFull]);
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ROTATION_POSTGRES")))
            {
                kinds.Add(StoreKind.Postgres);
            }

            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ROTATION_REDIS")))
            {
                kinds.Add(StoreKind.Redis);
            }
#endif
            var only = Environment.GetEnvironmentVariable("ROTATION_BENCH_STORES");
            return string.IsNullOrEmpty(only)
                ? kinds
                : kinds.Where(kind => only.Split(',').Contains(kind.ToString(), StringComparer.OrdinalIgnoreCase)).ToList();
        }
    }

    public static BenchmarkStore Create(StoreKind kind)
    {
        if (kind == StoreKind.InMemory)
        {
            return new BenchmarkStore(new InMemoryFamilyStore(), null);
        }

#if SQLITE_STORE
        if (kind == StoreKind.Postgres)
        {
            var postgres = new PostgresFamilyStore(new PostgresFamilyStoreOptions
            {
                ConnectionString = Environment.GetEnvironmentVariable("ROTATION_POSTGRES"),
                TableName = "bench_" + Guid.NewGuid().ToString("N")[..12],
            });
            postgres.MigrateAsync().GetAwaiter().GetResult();
            return new BenchmarkStore(postgres, null);
        }

        if (kind == StoreKind.Redis)
        {
            // 64 blocking callers starve a 2-core pool of the threads StackExchange.Redis completes on.
            ThreadPool.GetMinThreads(out var workers, out var io);
            ThreadPool.SetMinThreads(Math.Max(workers, 128), Math.Max(io, 128));
            return new BenchmarkStore(
                new RedisFamilyStore(new RedisFamilyStoreOptions
                {
                    Configuration = Environment.GetEnvironmentVariable("ROTATION_REDIS"),
                    KeyPrefix = "bench-" + Guid.NewGuid().ToString("N")[..12] + ":",
                }),
                null);
        }

        var directory = Directory.CreateTempSubdirectory("re-bench-").FullName;
        var store = new SqliteFamilyStore(new SqliteFamilyStoreOptions
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
