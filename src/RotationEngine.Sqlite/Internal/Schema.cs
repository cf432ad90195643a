using RotationEngine.Storage;

namespace RotationEngine.Sqlite.Internal;

/// <summary>
/// The schema, versioned with <c>PRAGMA user_version</c>. <see cref="Migrations"/>[i] takes version i to version
/// i + 1; a released migration is never edited, only followed by a new one. No file of an earlier contract was ever
/// deployed, so the list starts again at the contract-2 shape (<see cref="FamilyColumns"/>).
/// </summary>
internal static class Schema
{
    /// <summary>Version 1: one row per family, keyed by the 16-byte id, the columns and their order exactly
    /// <see cref="FamilyColumns.All"/>, the policy snapshot inline. <c>STRICT</c>: SQLite refuses a value of the wrong
    /// type from any writer instead of storing it as whatever it is.</summary>
    private static readonly string Version1 =
        """
        CREATE TABLE families (
            id BLOB NOT NULL PRIMARY KEY,
            subject TEXT NOT NULL,
            client_id TEXT NOT NULL,
            binding TEXT,
            key_id TEXT NOT NULL,
            metadata TEXT,
            created_at INTEGER NOT NULL,
            family_expires_at INTEGER NOT NULL,
            token_expires_at INTEGER NOT NULL,
            generation INTEGER NOT NULL,
            digest BLOB NOT NULL,
            ledger TEXT NOT NULL,
            status INTEGER NOT NULL,
            revoked_at INTEGER,
            revocation_reason INTEGER,
            token_lifetime_ms INTEGER NOT NULL,
            grace_window_ms INTEGER NOT NULL,
            grace_depth INTEGER NOT NULL,
            grace_max_replays INTEGER,
            binding_mismatch_revokes INTEGER NOT NULL,
            max_generations INTEGER NOT NULL,
            seal BLOB NOT NULL
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX families_by_subject ON families (subject);
        """
        + "CREATE INDEX families_by_prune_at ON families (" + Sql.PruneAt + ");";

    /// <summary>The scripts, in order.</summary>
    public static IReadOnlyList<string> Migrations { get; } = [Version1];

    /// <summary>The version this library writes and reads.</summary>
    public static int CurrentVersion => Migrations.Count;
}
