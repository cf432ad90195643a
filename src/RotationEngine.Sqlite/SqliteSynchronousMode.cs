namespace RotationEngine.Sqlite;

/// <summary>How hard SQLite works to make a committed rotation durable (<c>PRAGMA synchronous</c>).</summary>
public enum SqliteSynchronousMode
{
    /// <summary>In WAL mode a commit survives a crash of the process but may be lost on power failure or an
    /// operating-system crash (the database stays consistent). The default: fast, and a lost rotation is
    /// recovered by the grace window or a new sign-in.</summary>
    Normal = 0,

    /// <summary>Every commit is synced to disk before it returns: durable across power failure, slower.</summary>
    Full = 1,
}
