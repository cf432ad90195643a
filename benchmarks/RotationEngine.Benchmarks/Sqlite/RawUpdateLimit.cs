#if SQLITE_STORE
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using RotationEngine.Benchmarks.Infrastructure;
using RotationEngine.Storage;

namespace RotationEngine.Benchmarks.Sqlite;

/// <summary>
/// The SQLite limit: the minimal conditional UPDATE of one rotation on the store's own schema and file, as one
/// prepared ADO.NET command reused for every call: the same condition and the same new values as the store's
/// rotation statement, but no engine, no cryptography, no RETURNING, no Dapper. Families are created by the
/// store itself (so the rows are the store's), with digests this class knows.
/// </summary>
internal sealed class RawUpdateLimit : IDisposable
{
    private const string Update =
        "UPDATE families SET generation = generation + 1, digest = @new_digest, token_expires_at = @now + token_lifetime_ms, "
        + "ledger = substr(@slot || ledger, 1, (grace_depth + 1) * 16) "
        + "WHERE id = @id AND generation = @generation AND digest = @expected_digest AND key_id = @key_id AND status = 0 "
        + "AND token_expires_at > @now AND family_expires_at > @now AND generation < max_generations "
        + "AND (binding IS NULL OR binding = @binding)";

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _update;
    private readonly byte[][] _ids;
    private readonly byte[][] _digests;
    private readonly int[] _generations;
    private int _next;

    public RawUpdateLimit(IFamilyStore store, SqliteConnection connection, int families)
    {
        _connection = connection;
        _ids = new byte[families][];
        _digests = new byte[families][];
        _generations = new int[families];
        var now = DateTimeOffset.FromUnixTimeMilliseconds(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds());
        var policy = EngineFixture.RollingPolicy;
        for (var i = 0; i < families; i++)
        {
            var id = FamilyId.New();
            _ids[i] = id.ToByteArray();
            _digests[i] = RandomNumberGenerator.GetBytes(32);
            store.CreateAsync(new FamilyRecord
            {
                Id = id,
                Subject = EngineFixture.Subject,
                ClientId = EngineFixture.Rolling,
                KeyId = EngineFixture.Key.Id,
                CreatedAt = now,
                FamilyExpiresAt = now + policy.FamilyLifetime,
                TokenExpiresAt = now + policy.TokenLifetime,
                Generation = 0,
                Digest = _digests[i],
                Ledger = "",
                Policy = policy,
            }).AsTask().GetAwaiter().GetResult();
        }

        _update = connection.CreateCommand();
        _update.CommandText = Update;
        foreach (var (name, type) in new[]
        {
            ("@id", SqliteType.Blob), ("@generation", SqliteType.Integer), ("@expected_digest", SqliteType.Blob),
            ("@new_digest", SqliteType.Blob), ("@key_id", SqliteType.Text), ("@binding", SqliteType.Text),
            ("@now", SqliteType.Integer), ("@slot", SqliteType.Text),
        })
        {
            _update.Parameters.Add(name, type);
        }

        _update.Parameters["@key_id"].Value = EngineFixture.Key.Id;
        _update.Parameters["@binding"].Value = DBNull.Value;
        _update.Prepare();
    }

    /// <summary>Rotates the next family: one UPDATE that must change exactly one row.</summary>
    public int RotateNext()
    {
        var i = _next;
        _next = i + 1 == _ids.Length ? 0 : i + 1;
        var now = TimeProvider.System.GetUtcNow();
        var next = new byte[32];
        RandomNumberGenerator.Fill(next);
        var parameters = _update.Parameters;
        parameters[0].Value = _ids[i];
        parameters[1].Value = _generations[i];
        parameters[2].Value = _digests[i];
        parameters[3].Value = next;
        parameters[6].Value = now.ToUnixTimeMilliseconds();
        parameters[7].Value = GraceLedger.NewSlot(now);
        if (_update.ExecuteNonQuery() != 1)
        {
            throw new InvalidOperationException("The raw UPDATE matched no row.");
        }

        _digests[i] = next;
        return ++_generations[i];
    }

    public void Dispose()
    {
        _update.Dispose();
        _connection.Dispose();
    }
}
#endif
