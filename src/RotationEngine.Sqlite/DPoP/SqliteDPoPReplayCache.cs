using System.Buffers.Binary;
using Microsoft.Data.Sqlite;
using RotationEngine.DPoP;
using RotationEngine.Storage;

namespace RotationEngine.Sqlite.DPoP;

/// <summary>
/// A DPoP replay cache shared by every process that opens the same SQLite file (the family store's): table
/// <c>dpop_proofs</c> (16-byte key, expiry in Unix milliseconds), one <c>INSERT … ON CONFLICT DO UPDATE … WHERE
/// expired</c> per proof, so that exactly one of two racing instances accepts a proof. Expired rows are deleted every
/// 1,000 inserts. Faults surface as <see cref="RotationStoreException"/> (answered 503 + <c>Retry-After</c>).
/// </summary>
public sealed class SqliteDPoPReplayCache : IDPoPReplayCache, IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS dpop_proofs (proof_key BLOB NOT NULL PRIMARY KEY, expires_at INTEGER NOT NULL) STRICT, WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS dpop_proofs_expiry ON dpop_proofs (expires_at);
        """;

    private const string Insert = """
        INSERT INTO dpop_proofs (proof_key, expires_at) VALUES ($key, $expires)
        ON CONFLICT (proof_key) DO UPDATE SET expires_at = excluded.expires_at WHERE dpop_proofs.expires_at <= $now;
        """;

    private const string Prune = "DELETE FROM dpop_proofs WHERE expires_at <= $now;";

    private readonly SqliteFamilyStoreOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection? _connection;
    private long _inserts;

    /// <summary>Creates the cache on the store's database (opened at the first proof).</summary>
    /// <param name="options">The family store's options (the same file).</param>
    public SqliteDPoPReplayCache(SqliteFamilyStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryAddAsync(UInt128 proofKey, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        var key = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(key, proofKey);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = _connection ??= Open();
            var nowMs = now.ToUnixTimeMilliseconds();
            using var command = connection.CreateCommand();
            command.CommandText = Insert;
            command.Parameters.AddWithValue("$key", key);
            command.Parameters.AddWithValue("$expires", expiresAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$now", nowMs);
            var added = command.ExecuteNonQuery() == 1;
            if (++_inserts % 1000 == 0)
            {
                using var prune = connection.CreateCommand();
                prune.CommandText = Prune;
                prune.Parameters.AddWithValue("$now", nowMs);
                prune.ExecuteNonQuery();
            }

            return added;
        }
        catch (SqliteException exception)
        {
            _connection?.Dispose();
            _connection = null;
            throw new RotationStoreException("The SQLite DPoP replay cache failed.", exception);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>How many proofs are recorded (live or awaiting the next prune).</summary>
    public long Count()
    {
        _gate.Wait();
        try
        {
            using var command = (_connection ??= Open()).CreateCommand();
            command.CommandText = "SELECT count(*) FROM dpop_proofs;";
            return (long)command.ExecuteScalar()!;
        }
        finally
        {
            _gate.Release();
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_options.BuildConnectionString().ToString());
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA busy_timeout = {(long)_options.BusyTimeout.TotalMilliseconds}; PRAGMA journal_mode = WAL; " + Schema;
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _connection?.Dispose();
        _gate.Dispose();
    }
}
