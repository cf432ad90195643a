using Microsoft.Data.Sqlite;

namespace RotationEngine.Benchmarks.Infrastructure;

/// <summary>SQLite files for the baselines and peers, with the store's settings: WAL and the same
/// <c>synchronous</c> (NORMAL or FULL), set on a connection that stays open for the whole run.</summary>
internal static class SqliteFiles
{
    public static string NewDirectory() => Directory.CreateTempSubdirectory("re-bench-").FullName;

    public static SqliteConnection Open(string path, bool full)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var pragmas = connection.CreateCommand();
        pragmas.CommandText = $"PRAGMA journal_mode = WAL; PRAGMA synchronous = {(full ? "FULL" : "NORMAL")}; PRAGMA busy_timeout = 5000;";
        pragmas.ExecuteNonQuery();
        return connection;
    }

    /// <summary>The database's size in bytes once its write-ahead log is folded back into the file.</summary>
    public static long CheckpointedSize(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        command.ExecuteNonQuery();
        command.CommandText = "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size();";
        return (long)command.ExecuteScalar()!;
    }

    public static void Delete(string directory)
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }
}
