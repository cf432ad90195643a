using System.Globalization;
using Npgsql;
using RotationEngine.Storage;

namespace RotationEngine.Postgres.Internal;

/// <summary>
/// The versioned schema: an append-only list of migrations, applied in one transaction under a
/// transaction-scoped advisory lock, so several instances starting at once apply each migration exactly once
/// (the others wait on the lock, then find the version already recorded). An up-to-date schema costs two reads
/// and no lock or DDL.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>The version of the first migration. Version 1 was a pre-release layout that no deployment holds; a
    /// table recorded at it is refused rather than migrated.</summary>
    public const int FirstVersion = 2;

    /// <summary>The schema version this build writes and reads.</summary>
    public static int CurrentVersion => FirstVersion + MigrationCount - 1;

    private const int MigrationCount = 2;

    /// <summary>The migrations, in order: version n is at index n - <see cref="FirstVersion"/>. Never edit one that
    /// has shipped.</summary>
    private static string[] Migrations(PostgresSql sql) =>
    [
        // 2: the families table, with the columns of FamilyColumns in its order. Times are Unix milliseconds
        // (bigint): the engine keeps whole milliseconds and the rotation statement adds the token lifetime to
        // "now" in SQL. The policy snapshot is frozen per family; digest and seal are 16 bytes each.
        $"""
        CREATE TABLE {sql.Table} (
            id                       uuid     PRIMARY KEY,
            subject                  text     COLLATE "C" NOT NULL,
            client_id                text     NOT NULL,
            binding                  text,
            key_id                   text     NOT NULL,
            metadata                 text,
            created_at               bigint   NOT NULL,
            family_expires_at        bigint   NOT NULL,
            token_expires_at         bigint   NOT NULL,
            generation               integer  NOT NULL,
            digest                   bytea    NOT NULL,
            ledger                   text     NOT NULL,
            status                   integer  NOT NULL,
            revoked_at               bigint,
            revocation_reason        integer,
            token_lifetime_ms        bigint   NOT NULL,
            grace_window_ms          bigint   NOT NULL,
            grace_depth              integer  NOT NULL,
            grace_max_replays        integer,
            binding_mismatch_revokes boolean  NOT NULL,
            max_generations          integer  NOT NULL,
            seal                     bytea    NOT NULL
        );
        CREATE INDEX {sql.Index("subject")} ON {sql.Table} (subject);
        CREATE INDEX {sql.Index("prunable_at")} ON {sql.Table} (({PostgresSql.PrunableAt}));
        """,

        // 3: the accepted DPoP proofs (PostgresDPoPReplayCache): the 16-byte digest of thumbprint and jti, and the
        // end of the proof's acceptance window in engine Unix milliseconds; expired rows are deleted by expiry.
        $"""
        CREATE TABLE {sql.DPoPProofsTable} (
            proof_key  bytea   PRIMARY KEY CHECK (octet_length(proof_key) = 16),
            expires_at bigint  NOT NULL
        );
        CREATE INDEX {sql.Index("dpop_expiry")} ON {sql.DPoPProofsTable} (expires_at);
        """,
    ];

    /// <summary>Creates or migrates the schema to <see cref="CurrentVersion"/>; returns the migrations applied.</summary>
    /// <exception cref="RotationStoreException">The table is at a version this build cannot migrate from.</exception>
    public static async Task<int> MigrateAsync(NpgsqlDataSource dataSource, PostgresSql sql, CancellationToken cancellationToken)
    {
        var migrations = Migrations(sql);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // An up-to-date schema needs no lock and no DDL, so a role without CREATE rights can start.
            if (await RecordedVersionAsync(connection, sql, cancellationToken).ConfigureAwait(false) == CurrentVersion)
            {
                return 0;
            }

            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({sql.LockKey.ToString(CultureInfo.InvariantCulture)})", cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(
                    connection,
                    $"CREATE TABLE IF NOT EXISTS {sql.MigrationsTable} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                    cancellationToken).ConfigureAwait(false);

                int version;
                var query = new NpgsqlCommand($"SELECT coalesce(max(version), 0) FROM {sql.MigrationsTable}", connection);
                await using (query.ConfigureAwait(false))
                {
                    version = (int)(await query.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                }

                CheckMigratable(sql, version);
                var applied = 0;
                for (var next = Math.Max(version + 1, FirstVersion); next <= CurrentVersion; next++)
                {
                    await ExecuteAsync(connection, migrations[next - FirstVersion], cancellationToken).ConfigureAwait(false);
                    await ExecuteAsync(connection, $"INSERT INTO {sql.MigrationsTable} (version) VALUES ({next.ToString(CultureInfo.InvariantCulture)})", cancellationToken).ConfigureAwait(false);
                    applied++;
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return applied;
            }
        }
    }

    /// <summary>Checks, without changing anything, that the schema is at <see cref="CurrentVersion"/> (for a store
    /// that does not migrate: a deployment step does).</summary>
    /// <exception cref="RotationStoreException">The schema is missing, older or newer.</exception>
    public static async Task CheckAsync(NpgsqlDataSource dataSource, PostgresSql sql, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var version = await RecordedVersionAsync(connection, sql, cancellationToken).ConfigureAwait(false) ?? 0;
            if (version == CurrentVersion)
            {
                return;
            }

            CheckMigratable(sql, version);
            throw new RotationStoreException(
                $"The table {sql.Table} is at schema version {version.ToString(CultureInfo.InvariantCulture)} and this build needs {CurrentVersion.ToString(CultureInfo.InvariantCulture)}; "
                + $"PostgresFamilyStoreOptions.MigrateSchema is false, so run PostgresFamilyStore.MigrateAsync from a deployment step first.");
        }
    }

    private static void CheckMigratable(PostgresSql sql, int version)
    {
        if (version > CurrentVersion)
        {
            throw new RotationStoreException(
                $"The table {sql.Table} is at schema version {version.ToString(CultureInfo.InvariantCulture)}, newer than this build knows ({CurrentVersion.ToString(CultureInfo.InvariantCulture)}); upgrade RotationEngine.Postgres.");
        }

        if (version is > 0 and < FirstVersion)
        {
            throw new RotationStoreException(
                $"The table {sql.Table} is at schema version {version.ToString(CultureInfo.InvariantCulture)}, a pre-release layout with no migration to version {FirstVersion.ToString(CultureInfo.InvariantCulture)}; drop it and its _migrations table.");
        }
    }

    /// <summary>The version recorded in the migrations table, or null when the table does not exist yet.</summary>
    private static async Task<int?> RecordedVersionAsync(NpgsqlConnection connection, PostgresSql sql, CancellationToken cancellationToken)
    {
        var exists = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection) { Parameters = { new() { Value = sql.MigrationsTable } } };
        await using (exists.ConfigureAwait(false))
        {
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                return null;
            }
        }

        var query = new NpgsqlCommand($"SELECT coalesce(max(version), 0) FROM {sql.MigrationsTable}", connection);
        await using (query.ConfigureAwait(false))
        {
            return (int)(await query.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string text, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(text, connection);
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
