using Npgsql;

namespace RotationEngine.Postgres.Internal;

/// <summary>
/// What the family store and the DPoP replay cache share about their database: the data source (owned or the host's),
/// the statements of the configured table, and the schema migrated once before the first statement unless
/// <see cref="PostgresFamilyStoreOptions.MigrateSchema"/> is off.
/// </summary>
internal sealed class PostgresDatabase : IDisposable, IAsyncDisposable
{
    private readonly bool _ownsDataSource;
    private readonly bool _migrateSchema;
    private readonly SemaphoreSlim _migrationGate = new(1, 1);
    private volatile bool _schemaReady;

    public PostgresDatabase(PostgresFamilyStoreOptions options)
    {
        PostgresFamilyStoreOptionsValidator.ThrowIfInvalid(options);
        Sql = new PostgresSql(options.Schema, options.TableName);
        _migrateSchema = options.MigrateSchema;
        DataSource = PostgresDataSource.Create(options, out _ownsDataSource);
    }

    public NpgsqlDataSource DataSource { get; }

    public PostgresSql Sql { get; }

    public bool MigratesSchema => _migrateSchema;

    /// <summary>Creates or migrates the schema; returns how many migrations were applied.</summary>
    /// <exception cref="Storage.RotationStoreException">The database failed or holds a schema version this build cannot use.</exception>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        try
        {
            var applied = await PostgresSchema.MigrateAsync(DataSource, Sql, cancellationToken).ConfigureAwait(false);
            _schemaReady = true;
            return applied;
        }
        catch (Exception exception) when (PostgresFault.IsFault(exception))
        {
            throw PostgresFault.Create("Migrate", exception);
        }
    }

    /// <summary>Migrates once, before the first statement (free once done, or when migration is off).</summary>
    public ValueTask EnsureSchemaAsync(CancellationToken cancellationToken) =>
        _schemaReady || !_migrateSchema ? ValueTask.CompletedTask : MigrateOnceAsync(cancellationToken);

    private async ValueTask MigrateOnceAsync(CancellationToken cancellationToken)
    {
        await _migrationGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_schemaReady)
            {
                await MigrateAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _migrationGate.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        _migrationGate.Dispose();
        return _ownsDataSource ? DataSource.DisposeAsync() : ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        _migrationGate.Dispose();
        if (_ownsDataSource)
        {
            DataSource.Dispose();
        }
    }
}
