using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using RotationEngine.Storage;

namespace RotationEngine.Sqlite.Internal;

/// <summary>
/// Brings a database file to <see cref="Schema.CurrentVersion"/> when the store opens. Safe when several
/// processes open one new file at once: the version is re-read inside <c>BEGIN IMMEDIATE</c> (which takes the
/// write lock), so exactly one of them runs each migration and the others see the result.
/// </summary>
internal static class SchemaMigrator
{
    /// <summary>Switches the file to WAL and migrates it; returns the journal mode SQLite reports.</summary>
    public static string Migrate(SqliteConnection connection, ILogger logger)
    {
        var journalMode = Scalar<string>(connection, "PRAGMA journal_mode = WAL") ?? "";
        if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new RotationStoreException(
                $"The SQLite family store could not switch the database to WAL mode (it reports '{journalMode}').");
        }

        var version = ReadVersion(connection);
        if (version == Schema.CurrentVersion)
        {
            // Nothing to write: a read-only connection can open an up-to-date file.
            CheckShape(connection);
            return journalMode;
        }

        using var transaction = connection.BeginTransaction(deferred: false);
        version = ReadVersion(connection, transaction);
        var from = version;
        for (; version < Schema.CurrentVersion; version++)
        {
            Execute(connection, transaction, Schema.Migrations[version]);
        }

        Execute(connection, transaction, $"PRAGMA user_version = {Schema.CurrentVersion}");
        transaction.Commit();
        CheckShape(connection);
        if (from != Schema.CurrentVersion)
        {
            Log.SchemaMigrated(logger, from, Schema.CurrentVersion);
        }

        return journalMode;
    }

    /// <summary>The file's schema version; a version newer than this library knows is refused.</summary>
    public static int ReadVersion(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        var version = (int)Scalar<long>(connection, "PRAGMA user_version", transaction);
        if (version < 0 || version > Schema.CurrentVersion)
        {
            throw new RotationStoreException(
                $"The database has schema version {version}; this RotationEngine.Sqlite knows versions up to {Schema.CurrentVersion}. Upgrade the package.");
        }

        return version;
    }

    /// <summary>Refuses a file whose <c>families</c> table does not have exactly <see cref="FamilyColumns.All"/>, in order:
    /// a file made by a pre-release build (which also said version 1) or changed by hand, found at start-up rather
    /// than at the first refresh.</summary>
    public static void CheckShape(SqliteConnection connection)
    {
        var columns = new List<string>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM pragma_table_info('families') ORDER BY cid";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                columns.Add(reader.GetString(0));
            }
        }

        if (!columns.SequenceEqual(FamilyColumns.All, StringComparer.Ordinal))
        {
            throw new RotationStoreException(
                $"The database's families table does not have the columns of schema version {Schema.CurrentVersion} "
                + $"({columns.Count} columns instead of {FamilyColumns.All.Count}, or in another order): it was made by a pre-release build or changed by hand. "
                + "Move it away and let the store create a new file.");
        }
    }

    private static T? Scalar<T>(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return (T?)command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }
}
