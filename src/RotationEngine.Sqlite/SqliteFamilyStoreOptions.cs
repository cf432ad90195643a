using Microsoft.Data.Sqlite;

namespace RotationEngine.Sqlite;

/// <summary>Configures a <see cref="SqliteFamilyStore"/>. Set exactly one of <see cref="DatabasePath"/> and
/// <see cref="ConnectionString"/>.</summary>
public sealed class SqliteFamilyStoreOptions
{
    /// <summary>The default of <see cref="BusyTimeout"/>: 5 seconds.</summary>
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The default of <see cref="PoolSize"/>.</summary>
    public const int DefaultPoolSize = 16;

    /// <summary>The largest <see cref="PoolSize"/>.</summary>
    public const int MaxPoolSize = 256;

    /// <summary>The largest <see cref="BusyTimeout"/>: 10 minutes.</summary>
    public static readonly TimeSpan MaxBusyTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The database file; created (with its schema, and on Unix with mode 0600, as SQLite then creates its
    /// <c>-wal</c> and <c>-shm</c> files) if missing. Its directory must exist: validation names it when it does not.</summary>
    public string? DatabasePath { get; set; }

    /// <summary>A Microsoft.Data.Sqlite connection string naming a database file, for settings a path cannot
    /// express (for example <c>Mode=ReadOnly</c>). Pooling is always off: the store keeps its own pool of open
    /// connections with prepared statements. A plain file path in it is treated as <see cref="DatabasePath"/> is (its
    /// directory must exist; a new file gets mode 0600); a <c>file:</c> URI is left to SQLite.</summary>
    public string? ConnectionString { get; set; }

    /// <summary><c>PRAGMA synchronous</c>: <see cref="SqliteSynchronousMode.Normal"/> (default) or
    /// <see cref="SqliteSynchronousMode.Full"/>.</summary>
    public SqliteSynchronousMode Synchronous { get; set; } = SqliteSynchronousMode.Normal;

    /// <summary>How long a statement waits for another connection's (or process's) write lock before the
    /// call fails with a <see cref="Storage.RotationStoreException"/>. Default 5 seconds; 1 ms to 10 minutes.</summary>
    public TimeSpan BusyTimeout { get; set; } = DefaultBusyTimeout;

    /// <summary>The most connections the store opens. Writers queue on SQLite's single write lock anyway; more
    /// connections help concurrent reads. Default 16; 1 to 256.</summary>
    public int PoolSize { get; set; } = DefaultPoolSize;

    /// <summary>Lists what is wrong with these options; each message names the option and what it allows.
    /// Messages never repeat the connection string.</summary>
    public IEnumerable<string> Validate()
    {
        var hasPath = !string.IsNullOrWhiteSpace(DatabasePath);
        var hasConnectionString = !string.IsNullOrWhiteSpace(ConnectionString);
        if (hasPath == hasConnectionString)
        {
            yield return hasPath
                ? "SqliteFamilyStoreOptions.DatabasePath and SqliteFamilyStoreOptions.ConnectionString are both set; set exactly one."
                : "SqliteFamilyStoreOptions.DatabasePath or SqliteFamilyStoreOptions.ConnectionString is required (the database file).";
        }
        else
        {
            var error = CheckDataSource();
            if (error is not null)
            {
                yield return error;
            }
        }

        if (!Enum.IsDefined(Synchronous))
        {
            yield return $"SqliteFamilyStoreOptions.Synchronous is {(int)Synchronous}; it must be Normal or Full.";
        }

        if (BusyTimeout < TimeSpan.FromMilliseconds(1) || BusyTimeout > MaxBusyTimeout)
        {
            yield return $"SqliteFamilyStoreOptions.BusyTimeout is {BusyTimeout}; it must be from 00:00:00.001 to {MaxBusyTimeout}.";
        }

        if (PoolSize is < 1 or > MaxPoolSize)
        {
            yield return $"SqliteFamilyStoreOptions.PoolSize is {PoolSize}; it must be from 1 to {MaxPoolSize}.";
        }
    }

    /// <summary>The connection string the store opens: the configured file with pooling off.</summary>
    internal SqliteConnectionStringBuilder BuildConnectionString()
    {
        var builder = string.IsNullOrWhiteSpace(ConnectionString)
            ? new SqliteConnectionStringBuilder { DataSource = DatabasePath }
            : new SqliteConnectionStringBuilder(ConnectionString);
        builder.Pooling = false;
        builder.DefaultTimeout = CommandTimeoutSeconds;
        return builder;
    }

    /// <summary>Microsoft.Data.Sqlite's own busy retry limit, in whole seconds (0 would mean forever).</summary>
    internal int CommandTimeoutSeconds => Math.Max(1, (int)Math.Ceiling(BusyTimeout.TotalSeconds));

    private string? CheckDataSource()
    {
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = BuildConnectionString();
        }
        catch (ArgumentException)
        {
            // The parser's message may quote the string; do not repeat it.
            return "SqliteFamilyStoreOptions.ConnectionString is not a valid Microsoft.Data.Sqlite connection string.";
        }

        var option = string.IsNullOrWhiteSpace(ConnectionString) ? "SqliteFamilyStoreOptions.DatabasePath" : "SqliteFamilyStoreOptions.ConnectionString";
        if (string.IsNullOrWhiteSpace(builder.DataSource))
        {
            return $"{option} names no database file (Data Source is empty).";
        }

        if (builder.Mode == SqliteOpenMode.Memory
            || string.Equals(builder.DataSource, ":memory:", StringComparison.OrdinalIgnoreCase)
            || builder.DataSource.StartsWith("file::memory:", StringComparison.OrdinalIgnoreCase))
        {
            return $"{option} names an in-memory database; the SQLite store needs a file (each pooled connection would see its own database). Use the in-memory store instead.";
        }

        // A missing directory is a configuration error, reported at start-up with the directory's name (a path is not a
        // secret; the connection string itself is never repeated). SQLite would only say "unable to open database file".
        if (FilePath(builder) is { } path && Path.GetDirectoryName(path) is { Length: > 0 } directory && !Directory.Exists(directory))
        {
            return $"{option}: the directory '{directory}' does not exist.";
        }

        return null;
    }

    /// <summary>The full path of the database file, or null when the data source is a URI (left to SQLite).</summary>
    internal static string? FilePath(SqliteConnectionStringBuilder builder)
    {
        var source = builder.DataSource;
        if (string.IsNullOrWhiteSpace(source) || source.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        // As Microsoft.Data.Sqlite resolves it when it opens the connection.
        const string DataDirectory = "|DataDirectory|";
        if (source.StartsWith(DataDirectory, StringComparison.OrdinalIgnoreCase))
        {
            var root = AppDomain.CurrentDomain.GetData("DataDirectory") as string;
            source = Path.Combine(string.IsNullOrEmpty(root) ? AppDomain.CurrentDomain.BaseDirectory : root, source[DataDirectory.Length..]);
        }

        try
        {
            return Path.GetFullPath(source);
        }
        catch (Exception exception) when (exception is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }
    }
}
