#if SQLITE_STORE
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using RotationEngine.Benchmarks.Infrastructure;
using RotationEngine.Storage;

namespace RotationEngine.Benchmarks.Sqlite;

/// <summary>
/// The SQLite limit: the store's own v2 rotation statement on the store's own schema and file, as one prepared
/// ADO.NET command reused for every call, with no engine, no cryptography, no Dapper and no record built from the
/// returned row. It is the statement of <c>RotationEngine.Sqlite.Internal.Sql.Rotate</c>, text for text: the same
/// condition (generation, digest, key, client, active, <c>@now &lt; @issued_at + token_lifetime_ms</c>, family expiry,
/// generation limit, binding), the same new values, and <c>RETURNING</c> the row, stepped to the end as the store does
/// (which ends the statement, so a checkpoint is not held up). Families are created by the store itself (so the rows
/// are the store's), with digests this class knows.
/// </summary>
internal sealed class RawUpdateLimit : IDisposable
{
    private static readonly string Update =
        "UPDATE families SET generation = generation + 1, digest = @new_digest, token_expires_at = @now + token_lifetime_ms, "
        + "ledger = substr(@slot || ledger, 1, grace_depth * " + GraceLedger.SlotLength + ") "
        + "WHERE id = @id AND generation = @generation AND digest = @expected_digest AND key_id = @key_id "
        + "AND client_id = @client_id AND status = 0 "
        + "AND @now < @issued_at + token_lifetime_ms AND @now < family_expires_at AND generation < max_generations "
        + "AND (binding IS NULL OR binding = @binding) "
        + "RETURNING " + FamilyColumns.SelectList;

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _update;
    private readonly Guid[] _ids;
    private readonly byte[][] _digests;
    private readonly long[] _issuedAt;
    private readonly int[] _generations;
    private int _next;

    public RawUpdateLimit(IFamilyStore store, SqliteConnection connection, int families)
    {
        _connection = connection;
        _ids = new Guid[families];
        _digests = new byte[families][];
        _issuedAt = new long[families];
        _generations = new int[families];
        for (var i = 0; i < families; i++)
        {
            var family = StoredFamilies.Create(store, EngineFixture.Rolling, EngineFixture.RollingPolicy, 0, chained: false).Record;
            _ids[i] = family.Id.Value;
            _digests[i] = family.Digest;
            _issuedAt[i] = FamilyColumns.Milliseconds(family.CreatedAt);
        }

        _update = connection.CreateCommand();
        _update.CommandText = Update;
        foreach (var (name, type) in new[]
        {
            ("@id", SqliteType.Blob), ("@generation", SqliteType.Integer), ("@expected_digest", SqliteType.Blob),
            ("@new_digest", SqliteType.Blob), ("@key_id", SqliteType.Text), ("@client_id", SqliteType.Text),
            ("@binding", SqliteType.Text), ("@issued_at", SqliteType.Integer), ("@now", SqliteType.Integer),
            ("@slot", SqliteType.Text),
        })
        {
            _update.Parameters.Add(name, type);
        }

        _update.Parameters["@key_id"].Value = EngineFixture.Key.Id;
        _update.Parameters["@client_id"].Value = EngineFixture.Rolling;
        _update.Parameters["@binding"].Value = DBNull.Value;
        _update.Prepare();
    }

    /// <summary>Rotates the next family: one UPDATE … RETURNING that must return exactly one row.</summary>
    public int RotateNext()
    {
        var i = _next;
        _next = i + 1 == _ids.Length ? 0 : i + 1;
        var now = TimeProvider.System.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var next = new byte[FamilyColumns.DigestSize];
        RandomNumberGenerator.Fill(next);
        var parameters = _update.Parameters;
        parameters[0].Value = _ids[i];
        parameters[1].Value = _generations[i];
        parameters[2].Value = _digests[i];
        parameters[3].Value = next;
        parameters[7].Value = _issuedAt[i];
        parameters[8].Value = nowMs;
        parameters[9].Value = GraceLedger.NewSlot(now, next);
        var rows = 0;
        using (var reader = _update.ExecuteReader())
        {
            while (reader.Read())
            {
                rows++;
            }
        }

        if (rows != 1)
        {
            throw new InvalidOperationException("The raw UPDATE matched no row.");
        }

        _digests[i] = next;
        _issuedAt[i] = nowMs;
        return ++_generations[i];
    }

    public void Dispose()
    {
        _update.Dispose();
        _connection.Dispose();
    }
}
#endif
