using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using RotationEngine.Storage;

namespace RotationEngine.Postgres.Internal;

/// <summary>
/// The SQL of one families table, built once per store, and each statement's parameters next to it. The columns are
/// <see cref="FamilyColumns"/>'s, named and selected in its order; every operation is one statement with positional
/// parameters, so Npgsql sends it without rewriting and auto-prepares it.
/// </summary>
internal sealed class PostgresSql
{
    /// <summary>The PostgreSQL type of each column of <see cref="FamilyColumns.All"/>, in that order.</summary>
    public static readonly NpgsqlDbType[] ColumnTypes =
    [
        NpgsqlDbType.Uuid, NpgsqlDbType.Text, NpgsqlDbType.Text, NpgsqlDbType.Text, NpgsqlDbType.Text, NpgsqlDbType.Text,
        NpgsqlDbType.Bigint, NpgsqlDbType.Bigint, NpgsqlDbType.Bigint, NpgsqlDbType.Integer, NpgsqlDbType.Bytea,
        NpgsqlDbType.Text, NpgsqlDbType.Integer, NpgsqlDbType.Bigint, NpgsqlDbType.Integer, NpgsqlDbType.Bigint,
        NpgsqlDbType.Bigint, NpgsqlDbType.Integer, NpgsqlDbType.Integer, NpgsqlDbType.Boolean, NpgsqlDbType.Integer,
        NpgsqlDbType.Bytea,
    ];

    /// <summary>When a family becomes prunable (<see cref="FamilyRecord.PrunableAt"/>): its first expiry or its
    /// revocation, whichever is earlier. least() ignores nulls, and an active family has no revocation time here.</summary>
    public const string PrunableAt = "least(token_expires_at, family_expires_at, CASE WHEN status = 1 THEN revoked_at END)";

    /// <summary>The digest a revoked family keeps: 16 zero bytes, so that flipping its status back revives no token.</summary>
    private static readonly string ErasedDigest = $"decode('{new string('0', FamilyColumns.DigestSize * 2)}', 'hex')";

    public PostgresSql(string schema, string tableName)
    {
        // The options validator gives the caller-facing message; this keeps the SQL safe whoever builds it.
        if (!PostgresFamilyStoreOptionsValidator.IsIdentifier(schema) || !PostgresFamilyStoreOptionsValidator.IsIdentifier(tableName))
        {
            throw new ArgumentException("The schema and table names must be lower-case letters, digits and underscores, starting with a letter or underscore (at most 48).");
        }

        TableName = tableName;
        Table = $"\"{schema}\".\"{tableName}\"";
        MigrationsTable = $"\"{schema}\".\"{tableName}_migrations\"";
        DPoPProofsTable = $"\"{schema}\".\"{tableName}_dpop_proofs\"";
        LockKey = BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes($"RotationEngine.Postgres:{schema}.{tableName}")));
        var columns = FamilyColumns.SelectList;
        var placeholders = string.Join(", ", Enumerable.Range(1, FamilyColumns.All.Count).Select(i => "$" + i.ToString(CultureInfo.InvariantCulture)));
        var slot = GraceLedger.SlotLength.ToString(CultureInfo.InvariantCulture);

        Insert = $"INSERT INTO {Table} ({columns}) VALUES ({placeholders})";

        // The whole rotation, mirroring RotationCommand.Matches and ApplyTo: the idle expiry is checked against the
        // presented token's own issue time ($9), not the row's token_expires_at. READ COMMITTED re-evaluates the
        // WHERE clause on the newest row version after a concurrent update commits, so of two racing rotations of
        // one generation exactly one matches.
        Rotate = $"""
            UPDATE {Table}
            SET generation = generation + 1,
                digest = $2,
                token_expires_at = $3 + token_lifetime_ms,
                ledger = left($4 || ledger, grace_depth * {slot})
            WHERE id = $1
              AND generation = $5
              AND digest = $6
              AND key_id = $7
              AND client_id = $8
              AND status = 0
              AND $3 < $9 + token_lifetime_ms
              AND $3 < family_expires_at
              AND generation < max_generations
              AND (binding IS NULL OR binding = $10)
            RETURNING {columns}
            """;

        Find = $"SELECT {columns} FROM {Table} WHERE id = $1";

        RecordReplay = $"UPDATE {Table} SET ledger = $4 WHERE id = $1 AND status = 0 AND generation = $2 AND ledger = $3";

        Revoke = $"UPDATE {Table} SET status = 1, revoked_at = $3, revocation_reason = $2, digest = {ErasedDigest} WHERE id = $1 AND status = 0";

        RevokeSubject = $"UPDATE {Table} SET status = 1, revoked_at = $3, revocation_reason = $2, digest = {ErasedDigest} WHERE subject = $1 AND status = 0";

        ListActive = $"""
            SELECT {columns} FROM {Table}
            WHERE subject = $1 AND status = 0 AND $2 < token_expires_at AND $2 < family_expires_at
            ORDER BY created_at, id
            """;

        // The same expression as the prunable_at index. SKIP LOCKED lets several pruning instances share the work
        // without waiting on each other or on rotations.
        Prune = $"""
            DELETE FROM {Table}
            WHERE id IN (
                SELECT id FROM {Table}
                WHERE {PrunableAt} < $1
                LIMIT $2
                FOR UPDATE SKIP LOCKED)
            """;

        // A fresh key inserts; a live one (expiry after $3) conflicts and the WHERE leaves it alone: 0 rows. Two
        // racing inserts of one key: the second waits for the first to commit, then takes the conflict path and
        // re-checks the WHERE on the committed row, so exactly one of them counts a row.
        DPoPInsert = $"""
            INSERT INTO {DPoPProofsTable} AS p (proof_key, expires_at) VALUES ($1, $2)
            ON CONFLICT (proof_key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE p.expires_at <= $3
            """;

        DPoPPrune = $"""
            DELETE FROM {DPoPProofsTable}
            WHERE proof_key IN (
                SELECT proof_key FROM {DPoPProofsTable}
                WHERE expires_at <= $1
                LIMIT $2
                FOR UPDATE SKIP LOCKED)
            """;
    }

    public string TableName { get; }

    /// <summary>The quoted, schema-qualified families table.</summary>
    public string Table { get; }

    /// <summary>The quoted, schema-qualified migrations table.</summary>
    public string MigrationsTable { get; }

    /// <summary>The quoted, schema-qualified table of accepted DPoP proofs (<c>PostgresDPoPReplayCache</c>).</summary>
    public string DPoPProofsTable { get; }

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

    public string DPoPInsert { get; }

    public string DPoPPrune { get; }

    // Each statement with its parameters, in the order of its $n placeholders.

    /// <summary><see cref="Insert"/>: $1… are <see cref="FamilyColumns.All"/>.</summary>
    public NpgsqlCommand InsertCommand(NpgsqlDataSource source, FamilyRecord family)
    {
        var statement = source.CreateCommand(Insert);
        var values = FamilyColumns.Values(family);
        for (var i = 0; i < values.Length; i++)
        {
            statement.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = ColumnTypes[i], Value = values[i] ?? DBNull.Value });
        }

        return statement;
    }

    /// <summary><see cref="Rotate"/>: $1 id, $2 new digest, $3 now, $4 ledger slot, $5 generation, $6 expected digest,
    /// $7 key id, $8 client id, $9 the presented token's issue time, $10 binding.</summary>
    public NpgsqlCommand RotateCommand(NpgsqlDataSource source, in RotationCommand command)
    {
        var statement = source.CreateCommand(Rotate);
        var p = statement.Parameters;
        p.Add(new NpgsqlParameter<Guid> { TypedValue = command.FamilyId.Value });
        p.Add(new NpgsqlParameter<byte[]> { TypedValue = command.NewDigest });
        p.Add(Milliseconds(command.Now));
        p.Add(Text(command.LedgerSlot));
        p.Add(new NpgsqlParameter<int> { TypedValue = command.Generation });
        p.Add(new NpgsqlParameter<byte[]> { TypedValue = command.ExpectedDigest });
        p.Add(Text(command.KeyId));
        p.Add(Text(command.ClientId));
        p.Add(Milliseconds(command.IssuedAt));
        p.Add(Text(command.Binding));
        return statement;
    }

    /// <summary><see cref="Find"/>: $1 id.</summary>
    public NpgsqlCommand FindCommand(NpgsqlDataSource source, FamilyId id)
    {
        var statement = source.CreateCommand(Find);
        statement.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id.Value });
        return statement;
    }

    /// <summary><see cref="RecordReplay"/>: $1 id, $2 generation, $3 expected ledger, $4 new ledger.</summary>
    public NpgsqlCommand RecordReplayCommand(NpgsqlDataSource source, FamilyId id, int generation, string expectedLedger, string newLedger)
    {
        var statement = source.CreateCommand(RecordReplay);
        var p = statement.Parameters;
        p.Add(new NpgsqlParameter<Guid> { TypedValue = id.Value });
        p.Add(new NpgsqlParameter<int> { TypedValue = generation });
        p.Add(Text(expectedLedger));
        p.Add(Text(newLedger));
        return statement;
    }

    /// <summary><see cref="Revoke"/>: $1 id, $2 reason, $3 now.</summary>
    public NpgsqlCommand RevokeCommand(NpgsqlDataSource source, FamilyId id, RevocationReason reason, DateTimeOffset now)
    {
        var statement = source.CreateCommand(Revoke);
        var p = statement.Parameters;
        p.Add(new NpgsqlParameter<Guid> { TypedValue = id.Value });
        p.Add(new NpgsqlParameter<int> { TypedValue = (int)reason });
        p.Add(Milliseconds(now));
        return statement;
    }

    /// <summary><see cref="RevokeSubject"/>: $1 subject, $2 reason, $3 now.</summary>
    public NpgsqlCommand RevokeSubjectCommand(NpgsqlDataSource source, string subject, RevocationReason reason, DateTimeOffset now)
    {
        var statement = source.CreateCommand(RevokeSubject);
        var p = statement.Parameters;
        p.Add(Text(subject));
        p.Add(new NpgsqlParameter<int> { TypedValue = (int)reason });
        p.Add(Milliseconds(now));
        return statement;
    }

    /// <summary><see cref="ListActive"/>: $1 subject, $2 now.</summary>
    public NpgsqlCommand ListActiveCommand(NpgsqlDataSource source, string subject, DateTimeOffset now)
    {
        var statement = source.CreateCommand(ListActive);
        statement.Parameters.Add(Text(subject));
        statement.Parameters.Add(Milliseconds(now));
        return statement;
    }

    /// <summary><see cref="Prune"/>: $1 cutoff, $2 batch size.</summary>
    public NpgsqlCommand PruneCommand(NpgsqlDataSource source, DateTimeOffset cutoff, int batchSize)
    {
        var statement = source.CreateCommand(Prune);
        statement.Parameters.Add(Milliseconds(cutoff));
        statement.Parameters.Add(new NpgsqlParameter<int> { TypedValue = batchSize });
        return statement;
    }

    /// <summary><see cref="DPoPInsert"/>: $1 the 16-byte proof key, $2 its expiry, $3 now.</summary>
    public NpgsqlCommand DPoPInsertCommand(NpgsqlDataSource source, byte[] proofKey, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        var statement = source.CreateCommand(DPoPInsert);
        statement.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = proofKey });
        statement.Parameters.Add(Milliseconds(expiresAt));
        statement.Parameters.Add(Milliseconds(now));
        return statement;
    }

    /// <summary><see cref="DPoPPrune"/>: $1 now, $2 batch size.</summary>
    public NpgsqlCommand DPoPPruneCommand(NpgsqlDataSource source, DateTimeOffset now, int batchSize)
    {
        var statement = source.CreateCommand(DPoPPrune);
        statement.Parameters.Add(Milliseconds(now));
        statement.Parameters.Add(new NpgsqlParameter<int> { TypedValue = batchSize });
        return statement;
    }

    /// <summary>The quoted name of one of the table's indexes.</summary>
    public string Index(string purpose) => $"\"{TableName}_{purpose}\"";

    private static NpgsqlParameter Text(string? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter<long> Milliseconds(DateTimeOffset value) => new() { TypedValue = FamilyColumns.Milliseconds(value) };
}
