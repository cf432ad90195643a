using System.Buffers.Binary;
using Npgsql;
using RotationEngine.DPoP;
using RotationEngine.Postgres.Internal;
using RotationEngine.Storage;

namespace RotationEngine.Postgres.DPoP;

/// <summary>
/// A DPoP replay cache shared by every instance on the family store's PostgreSQL database: table
/// <c>{TableName}_dpop_proofs</c> (16-byte key, expiry in Unix milliseconds), created by the store's schema migration
/// (version 3), and one <c>INSERT … ON CONFLICT DO UPDATE … WHERE expired</c> per proof, so that exactly one of any
/// number of racing instances accepts a proof. Every 1,000 calls an instance deletes at most 2,000 expired rows
/// (<c>FOR UPDATE SKIP LOCKED</c>, so pruning instances never wait on each other). Times are the caller's (the
/// engine's <see cref="TimeProvider"/>), never the database's clock. Faults surface as
/// <see cref="RotationStoreException"/> (answered 503 + <c>Retry-After</c>).
/// </summary>
public sealed class PostgresDPoPReplayCache : IDPoPReplayCache, IAsyncDisposable, IDisposable
{
    /// <summary>How many calls an instance makes between two prunes.</summary>
    internal const int PruneInterval = 1000;

    /// <summary>The most rows one prune deletes: twice the interval, so that an instance deletes at least as many rows
    /// as it inserts and catches up after a burst.</summary>
    internal const int PruneBatch = 2 * PruneInterval;

    private readonly PostgresDatabase _database;
    private long _calls;

    /// <summary>Creates the cache on the database, schema and table name of the family store's
    /// <paramref name="options"/> (its own pool unless <see cref="PostgresFamilyStoreOptions.DataSource"/> is set:
    /// set it to share one pool). Nothing is sent to the server yet; the first proof migrates the schema unless
    /// <see cref="PostgresFamilyStoreOptions.MigrateSchema"/> is off.</summary>
    /// <param name="options">The family store's options.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    public PostgresDPoPReplayCache(PostgresFamilyStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _database = new PostgresDatabase(options);
    }

    /// <summary>The schema-qualified table of accepted proofs.</summary>
    public string Table => _database.Sql.DPoPProofsTable;

    /// <inheritdoc />
    public async ValueTask<bool> TryAddAsync(UInt128 proofKey, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        var key = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(key, proofKey);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            bool added;
            var insert = _database.Sql.DPoPInsertCommand(_database.DataSource, key, expiresAt, now);
            await using (insert.ConfigureAwait(false))
            {
                added = await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
            }

            if (Interlocked.Increment(ref _calls) % PruneInterval == 0)
            {
                await PruneAsync(now, PruneBatch, cancellationToken).ConfigureAwait(false);
            }

            return added;
        }
        catch (Exception exception) when (PostgresFault.IsFault(exception))
        {
            throw PostgresFault.Create("DPoPTryAdd", exception);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => _database.Dispose();

    /// <summary>Deletes at most <paramref name="batchSize"/> rows whose expiry is at or before <paramref name="now"/>;
    /// returns how many.</summary>
    internal async Task<int> PruneAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken)
    {
        var prune = _database.Sql.DPoPPruneCommand(_database.DataSource, now, batchSize);
        await using (prune.ConfigureAwait(false))
        {
            return await prune.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private ValueTask EnsureSchemaAsync(CancellationToken cancellationToken) => _database.EnsureSchemaAsync(cancellationToken);
}
