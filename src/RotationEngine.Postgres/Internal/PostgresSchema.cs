using System.Globalization;
using Npgsql;
using RotationEngine.Storage;

namespace RotationEngine.Postgres.Internal;

/// <summary>
/// The versioned schema: an append-only list of migrations, applied in one transaction under a
/// transaction-scoped advisory lock, so several instances starting at once apply each migration exactly once
/// (the others wait on the lock, then find the version already recorded).
/// </summary>
internal static class PostgresSchema
{
    /// <summary>The schema version this build writes and reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The migrations, in order: version n is at index n - 1. Never edit one that has shipped.</summary>
    private static string[] Migrations(PostgresSql sql) =>
    [
        // 1: the families table. Times are Unix milliseconds (bigint): the engine keeps whole milliseconds and
        // the rotation statement adds the token lifetime to "now" in SQL. The policy is frozen per family.
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
            status                   smallint NOT NULL,
            revoked_at               bigint,
            revocation_reason        smallint,
            token_lifetime_ms        bigint   NOT NULL,
            family_lifetime_ms       bigint   NOT NULL,
            grace_window_ms          bigint   NOT NULL,
            grace_depth              integer  NOT NULL,
            grace_max_replays        integer,
            binding_mismatch_revokes boolean  NOT NULL,
            max_generations          integer  NOT NULL
        );
        CREATE INDEX {sql.Index("subject")} ON {sql.Table} (subject);
        CREATE INDEX {sql.Index("prunable_at")} ON {sql.Table} (({PostgresSql.PrunableAt}));
        """,
    ];

    /// <summary>Creates or migrates the schema to <see cref="CurrentVersion"/>; returns the migrations applied.</summary>
    public static async Task<int> MigrateAsync(NpgsqlDataSource dataSource, PostgresSql sql, CancellationToken cancellationToken)
    {
        var migrations = Migrations(sql);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // An up-to-date schema needs no lock and no DDL, so a role without CREATE rights can start.
            if (await RecordedVersionAsync(connection, sql, cancellationToken).ConfigureAwait(false) == migrations.Length)
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

                if (version > migrations.Length)
                {
                    throw new RotationStoreException(
                        $"The table {sql.Table} is at schema version {version}, newer than this build knows ({migrations.Length}); upgrade RotationEngine.Postgres.");
                }

                for (var next = version + 1; next <= migrations.Length; next++)
                {
                    await ExecuteAsync(connection, migrations[next - 1], cancellationToken).ConfigureAwait(false);
                    await ExecuteAsync(connection, $"INSERT INTO {sql.MigrationsTable} (version) VALUES ({next.ToString(CultureInfo.InvariantCulture)})", cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return migrations.Length - version;
            }
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
