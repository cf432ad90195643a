using Microsoft.Data.Sqlite;
using RotationEngine.Storage;

namespace RotationEngine.Sqlite.Internal;

/// <summary>
/// One open connection and its prepared statements for the hot path (rotate, find, record replay) and for issue
/// (insert). Reusing a prepared <see cref="SqliteCommand"/> saves SQLite's parse and plan on every call, which a new
/// command per call (what Dapper does) pays. Not thread-safe: the pool lends it to one caller at a time.
/// </summary>
internal sealed class SqliteSession : IDisposable
{
    private const int ConstraintPrimaryKey = 1555; // SQLITE_CONSTRAINT_PRIMARYKEY

    private readonly int _commandTimeoutSeconds;
    private SqliteCommand? _rotate;
    private SqliteCommand? _find;
    private SqliteCommand? _recordReplay;
    private SqliteCommand? _insert;

    private SqliteSession(SqliteConnection connection, int commandTimeoutSeconds)
    {
        Connection = connection;
        _commandTimeoutSeconds = commandTimeoutSeconds;
    }

    public SqliteConnection Connection { get; }

    /// <summary>Opens a connection and sets its per-connection pragmas.</summary>
    public static SqliteSession Open(string connectionString, SqliteFamilyStoreOptions options)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            using var pragmas = connection.CreateCommand();
            pragmas.CommandText =
                $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}; "
                + $"PRAGMA synchronous = {(options.Synchronous == SqliteSynchronousMode.Full ? "FULL" : "NORMAL")};";
            pragmas.ExecuteNonQuery();
            return new SqliteSession(connection, options.CommandTimeoutSeconds);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Runs <see cref="Sql.Insert"/>.</summary>
    /// <exception cref="RotationStoreException">The id is taken.</exception>
    public bool Insert(FamilyRecord family)
    {
        var statement = _insert ??= Prepare(Sql.Insert, FamilyColumns.All.Select(column => ("@" + column, TypeOf(column))).ToArray());
        var values = FamilyColumns.Values(family);
        var parameters = statement.Parameters;
        for (var i = 0; i < values.Length; i++)
        {
            parameters[i].Value = values[i] ?? DBNull.Value;
        }

        try
        {
            statement.ExecuteNonQuery();
        }
        catch (SqliteException exception) when (exception.SqliteExtendedErrorCode == ConstraintPrimaryKey)
        {
            throw new RotationStoreException($"Family {family.Id} already exists.");
        }

        return true;
    }

    /// <summary>Runs <see cref="Sql.Rotate"/>; the family as written, or null when the condition failed.</summary>
    public FamilyRecord? Rotate(in RotationCommand command)
    {
        var statement = _rotate ??= Prepare(Sql.Rotate,
            ("@id", SqliteType.Blob), ("@generation", SqliteType.Integer), ("@expected_digest", SqliteType.Blob),
            ("@new_digest", SqliteType.Blob), ("@key_id", SqliteType.Text), ("@client_id", SqliteType.Text),
            ("@binding", SqliteType.Text), ("@issued_at", SqliteType.Integer), ("@now", SqliteType.Integer),
            ("@slot", SqliteType.Text));
        var parameters = statement.Parameters;
        parameters[0].Value = command.FamilyId.Value;
        parameters[1].Value = command.Generation;
        parameters[2].Value = command.ExpectedDigest;
        parameters[3].Value = command.NewDigest;
        parameters[4].Value = command.KeyId;
        parameters[5].Value = command.ClientId;
        parameters[6].Value = (object?)command.Binding ?? DBNull.Value;
        parameters[7].Value = FamilyColumns.Milliseconds(command.IssuedAt);
        parameters[8].Value = FamilyColumns.Milliseconds(command.Now);
        parameters[9].Value = command.LedgerSlot;
        return ReadWritten(statement);
    }

    /// <summary>Runs <see cref="Sql.Find"/>.</summary>
    public FamilyRecord? Find(FamilyId id)
    {
        var statement = _find ??= Prepare(Sql.Find, ("@id", SqliteType.Blob));
        statement.Parameters[0].Value = id.Value;
        return ReadSingle(statement);
    }

    /// <summary>Runs <see cref="Sql.RecordReplay"/>; whether it changed the family.</summary>
    public bool RecordReplay(FamilyId id, int generation, string expectedLedger, string newLedger)
    {
        var statement = _recordReplay ??= Prepare(Sql.RecordReplay,
            ("@id", SqliteType.Blob), ("@generation", SqliteType.Integer),
            ("@expected_ledger", SqliteType.Text), ("@new_ledger", SqliteType.Text));
        var parameters = statement.Parameters;
        parameters[0].Value = id.Value;
        parameters[1].Value = generation;
        parameters[2].Value = expectedLedger;
        parameters[3].Value = newLedger;
        return statement.ExecuteNonQuery() == 1;
    }

    public void Dispose()
    {
        _rotate?.Dispose();
        _find?.Dispose();
        _recordReplay?.Dispose();
        _insert?.Dispose();
        Connection.Dispose();
    }

    private static FamilyRecord? ReadSingle(SqliteCommand statement)
    {
        using var reader = statement.ExecuteReader();
        return reader.Read() ? FamilyRows.Read(reader) : null;
    }

    /// <summary>Reads the row a write's <c>RETURNING</c> clause returns, then steps the statement to its end.</summary>
    /// <remarks>The last step matters (docs/sqlite.md, "synchronous = FULL"). SQLite commits an autocommit statement
    /// when it ends, and runs the connection's WAL hook (the auto-checkpoint) only from a <c>sqlite3_step</c> that
    /// returns <c>SQLITE_DONE</c>. Disposing the reader after the row resets the statement instead: the transaction still
    /// commits, inside <c>sqlite3_reset</c>, but the WAL is never checkpointed, so it grows by every rotation and each
    /// commit's fsync also has to journal the file's new size. Stepping to the end commits here and checkpoints every
    /// 1,000 pages as SQLite intends.</remarks>
    private static FamilyRecord? ReadWritten(SqliteCommand statement)
    {
        using var reader = statement.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        var family = FamilyRows.Read(reader);
        while (reader.Read())
        {
            // One row at most (the id is the primary key); this step ends the statement.
        }

        return family;
    }

    private static SqliteType TypeOf(string column) => column switch
    {
        FamilyColumns.Id or FamilyColumns.Digest or FamilyColumns.Seal => SqliteType.Blob,
        FamilyColumns.Subject or FamilyColumns.ClientId or FamilyColumns.Binding or FamilyColumns.KeyId
            or FamilyColumns.Metadata or FamilyColumns.Ledger => SqliteType.Text,
        _ => SqliteType.Integer,
    };

    private SqliteCommand Prepare(string sql, params (string Name, SqliteType Type)[] parameters)
    {
        var statement = Connection.CreateCommand();
        statement.CommandText = sql;
        statement.CommandTimeout = _commandTimeoutSeconds;
        foreach (var (name, type) in parameters)
        {
            statement.Parameters.Add(name, type);
        }

        statement.Prepare();
        return statement;
    }
}
