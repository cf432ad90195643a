using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace RotationEngine.Postgres.Internal;

/// <summary>
/// The SQL of one families table, built once per store. Every operation is one statement with positional
/// parameters, so Npgsql sends it without rewriting and auto-prepares it.
/// </summary>
internal sealed partial class PostgresSql
{
    /// <summary>The selected columns, in the order <see cref="PostgresFamilyStore"/> reads them.</summary>
    private const string Columns =
        "id, subject, client_id, binding, key_id, metadata, created_at, family_expires_at, token_expires_at, "
        + "generation, digest, ledger, status, revoked_at, revocation_reason, token_lifetime_ms, family_lifetime_ms, "
        + "grace_window_ms, grace_depth, grace_max_replays, binding_mismatch_revokes, max_generations";

    /// <summary>When a family becomes prunable: its first expiry or its revocation, whichever is earlier.</summary>
    public const string PrunableAt = "least(token_expires_at, family_expires_at, CASE WHEN status = 1 THEN revoked_at END)";

    public PostgresSql(string schema, string tableName)
    {
        if (!IdentifierPattern().IsMatch(schema))
        {
            throw new ArgumentException($"The schema name must be lower-case letters, digits and underscores (at most 48); '{schema}' is not.", nameof(schema));
        }

        if (!IdentifierPattern().IsMatch(tableName))
        {
            throw new ArgumentException($"The table name must be lower-case letters, digits and underscores (at most 48); '{tableName}' is not.", nameof(tableName));
        }

        TableName = tableName;
        Table = $"\"{schema}\".\"{tableName}\"";
        MigrationsTable = $"\"{schema}\".\"{tableName}_migrations\"";
        LockKey = BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes($"RotationEngine.Postgres:{schema}.{tableName}")));

        Insert = $"""
            INSERT INTO {Table} ({Columns})
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
            """;

        // The whole rotation: READ COMMITTED re-evaluates the WHERE clause on the newest row version after a
        // concurrent update commits, so of two racing rotations of one generation exactly one matches.
        Rotate = $"""
            UPDATE {Table}
            SET generation = generation + 1,
                digest = $2,
                token_expires_at = $3 + token_lifetime_ms,
                ledger = left($4 || ledger, (grace_depth + 1) * {RotationEngine.Storage.GraceLedger.SlotLength})
            WHERE id = $1
              AND generation = $5
              AND digest = $6
              AND key_id = $7
              AND status = 0
              AND $3 < token_expires_at
              AND $3 < family_expires_at
              AND generation < max_generations
              AND (binding IS NULL OR binding = $8)
            RETURNING {Columns}
            """;

        Find = $"SELECT {Columns} FROM {Table} WHERE id = $1";

        RecordReplay = $"UPDATE {Table} SET ledger = $4 WHERE id = $1 AND status = 0 AND generation = $2 AND ledger = $3";

        Revoke = $"UPDATE {Table} SET status = 1, revoked_at = $3, revocation_reason = $2 WHERE id = $1 AND status = 0";

        RevokeSubject = $"UPDATE {Table} SET status = 1, revoked_at = $3, revocation_reason = $2 WHERE subject = $1 AND status = 0";

        ListActive = $"""
            SELECT {Columns} FROM {Table}
            WHERE subject = $1 AND status = 0 AND $2 < token_expires_at AND $2 < family_expires_at
            ORDER BY created_at, id
            """;

        // The same expression as the prunable_at index (least() ignores nulls: an active family has no revocation time).
        // SKIP LOCKED lets several pruning instances share the work without waiting on each other.
        Prune = $"""
            DELETE FROM {Table}
            WHERE id IN (
                SELECT id FROM {Table}
                WHERE {PrunableAt} < $1
                LIMIT $2
                FOR UPDATE SKIP LOCKED)
            """;
    }

    public string TableName { get; }

    /// <summary>The quoted, schema-qualified families table.</summary>
    public string Table { get; }

    /// <summary>The quoted, schema-qualified migrations table.</summary>
    public string MigrationsTable { get; }

    /// <summary>The advisory lock that serialises migrations of this table.</summary>
    public long LockKey { get; }

    public string Insert { get; }

    public string Rotate { get; }

    public string Find { get; }

    public string RecordReplay { get; }

    public string Revoke { get; }

    public string RevokeSubject { get; }

    public string ListActive { get; }

    public string Prune { get; }

    /// <summary>The quoted name of one of the table's indexes.</summary>
    public string Index(string purpose) => $"\"{TableName}_{purpose}\"";

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,47}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();
}
