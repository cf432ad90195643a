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
}
