using Npgsql;
using RotationEngine.Postgres.Internal;
using RotationEngine.Storage;

namespace RotationEngine.Postgres;

/// <summary>
/// Keeps families in one PostgreSQL table, one row per family, with the columns of <see cref="FamilyColumns"/>. Every
/// operation is a single statement on a pooled connection from Npgsql's data source; a rotation is one conditional
/// <c>UPDATE … RETURNING</c>, so it is one round trip and atomic under the default <c>READ COMMITTED</c> isolation.
/// The schema is created or migrated when the host starts (<see cref="InitializeAsync"/>), by
/// <see cref="MigrateAsync"/>, or before the first operation, under an advisory lock.
/// </summary>
/// <remarks>Times are stored as Unix milliseconds. Text cannot hold the NUL character in PostgreSQL (the engine
/// refuses it in every input); a record holding one is refused with a <see cref="RotationStoreException"/>.</remarks>
public sealed class PostgresFamilyStore : IFamilyStore, IFamilyStoreInitializer, IAsyncDisposable, IDisposable
{
    private const string UniqueViolation = "23505";

    private readonly PostgresDatabase _database;

    /// <summary>Creates a store on the table <c>rotation_families</c> of the database
    /// <paramref name="connectionString"/> names.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The connection string is not one.</exception>
    public PostgresFamilyStore(string connectionString)
        : this(new PostgresFamilyStoreOptions { ConnectionString = connectionString })
    {
    }

    /// <summary>Creates a store as <paramref name="options"/> describe. Nothing is sent to the server yet.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid; the message names it
    /// and the values it allows.</exception>
    public PostgresFamilyStore(PostgresFamilyStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _database = new PostgresDatabase(options);
    }

    /// <summary>The schema-qualified families table this store uses.</summary>
    public string Table => _database.Sql.Table;

    /// <summary>The schema version this build writes and reads.</summary>
    public static int SchemaVersion => PostgresSchema.CurrentVersion;

    /// <summary>Creates the table and indexes, or migrates them to this build's schema version; safe when
    /// several instances call it at once. Returns how many migrations were applied (0 when the schema is up to date,
    /// which takes no lock and no DDL).</summary>
    /// <exception cref="RotationStoreException">The database failed or holds a schema version this build cannot use.</exception>
    public Task<int> MigrateAsync(CancellationToken cancellationToken = default) => _database.MigrateAsync(cancellationToken);

    /// <summary>Connects and migrates the schema (<see cref="MigrateAsync"/>), or, when
    /// <see cref="PostgresFamilyStoreOptions.MigrateSchema"/> is off, checks that it is at this build's version. The
    /// host runs it at start-up, so that an unreachable server or a wrong schema stops the start.</summary>
    /// <exception cref="RotationStoreException">The server cannot be reached or the schema cannot be used.</exception>
    public async ValueTask InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (_database.MigratesSchema)
        {
            await _database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            await PostgresSchema.CheckAsync(_database.DataSource, _database.Sql, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsFault(exception))
        {
            throw Fault("Initialize", exception);
        }
    }

    /// <inheritdoc />
    public async ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(family);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var command = _database.Sql.InsertCommand(_database.DataSource, family);
        await using (command.ConfigureAwait(false))
        {
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException exception) when (exception.SqlState == UniqueViolation)
            {
                throw new RotationStoreException($"Family {family.Id} already exists.", exception);
            }
            catch (Exception exception) when (IsFault(exception))
            {
                throw Fault("Create", exception);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var statement = _database.Sql.RotateCommand(_database.DataSource, command);
        await using (statement.ConfigureAwait(false))
        {
            return await ReadSingleAsync(statement, "Rotate", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var statement = _database.Sql.FindCommand(_database.DataSource, id);
        await using (statement.ConfigureAwait(false))
        {
            return await ReadSingleAsync(statement, "Find", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expectedLedger);
        ArgumentNullException.ThrowIfNull(newLedger);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var statement = _database.Sql.RecordReplayCommand(_database.DataSource, id, generation, expectedLedger, newLedger);
        await using (statement.ConfigureAwait(false))
        {
            return await ExecuteAsync(statement, "RecordReplay", cancellationToken).ConfigureAwait(false) == 1;
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var statement = _database.Sql.RevokeCommand(_database.DataSource, id, reason, now);
        await using (statement.ConfigureAwait(false))
        {
            return await ExecuteAsync(statement, "Revoke", cancellationToken).ConfigureAwait(false) == 1;
        }
    }

    /// <inheritdoc />
    public async ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var statement = _database.Sql.RevokeSubjectCommand(_database.DataSource, subject, reason, now);
        await using (statement.ConfigureAwait(false))
        {
            return await ExecuteAsync(statement, "RevokeSubject", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var statement = _database.Sql.ListActiveCommand(_database.DataSource, subject, now);
        await using (statement.ConfigureAwait(false))
        {
            try
            {
                var families = new List<FamilyRecord>();
                var reader = await statement.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        families.Add(FamilyColumns.Read(reader));
                    }
                }

                return families;
            }
            catch (Exception exception) when (IsFault(exception))
            {
                throw Fault("ListActive", exception);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var statement = _database.Sql.PruneCommand(_database.DataSource, cutoff, batchSize);
        await using (statement.ConfigureAwait(false))
        {
            return await ExecuteAsync(statement, "Prune", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => _database.Dispose();

    private ValueTask EnsureSchemaAsync(CancellationToken cancellationToken) => _database.EnsureSchemaAsync(cancellationToken);

    private static async ValueTask<FamilyRecord?> ReadSingleAsync(NpgsqlCommand statement, string operation, CancellationToken cancellationToken)
    {
        try
        {
            var reader = await statement.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? FamilyColumns.Read(reader) : null;
            }
        }
        catch (Exception exception) when (IsFault(exception))
        {
            throw Fault(operation, exception);
        }
    }

    private static async ValueTask<int> ExecuteAsync(NpgsqlCommand statement, string operation, CancellationToken cancellationToken)
    {
        try
        {
            return await statement.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsFault(exception))
        {
            throw Fault(operation, exception);
        }
    }

    private static bool IsFault(Exception exception) => PostgresFault.IsFault(exception);

    private static RotationStoreException Fault(string operation, Exception exception) => PostgresFault.Create(operation, exception);
}
