namespace RotationEngine.Benchmarks.Infrastructure;

/// <summary>The stores the engine benchmarks run on.</summary>
public enum StoreKind
{
    /// <summary>The in-memory store.</summary>
    InMemory,

    /// <summary>The SQLite store on a file, WAL, <c>synchronous = NORMAL</c> (its default).</summary>
    SqliteNormal,

    /// <summary>The SQLite store on a file, WAL, <c>synchronous = FULL</c>.</summary>
    SqliteFull,

    /// <summary>The PostgreSQL store on the server <c>ROTATION_POSTGRES</c> names (a new table per setup).</summary>
    Postgres,

    /// <summary>The Redis store on the server <c>ROTATION_REDIS</c> names (a new key prefix per setup).</summary>
    Redis,
}
