using System.Buffers.Text;
using System.Security.Cryptography;
using Dapper;
using Microsoft.Data.Sqlite;

namespace RotationEngine.Benchmarks.Peers;

/// <summary>
/// The design people write when they roll their own: a row per refresh token (its SHA-256 hash as the key), and
/// a rotation that, in one transaction, reads the presented token's row, checks it is unused and unexpired,
/// marks it used, and inserts its successor; a used token revokes its family. Done with Dapper, as usual.
/// Rows accumulate with every rotation.
/// </summary>
internal sealed class TokenPerRowDesign : IDisposable
{
    private const string Schema =
        """
        CREATE TABLE IF NOT EXISTS refresh_tokens (
            id INTEGER PRIMARY KEY,
            token_hash BLOB NOT NULL UNIQUE,
            family_id BLOB NOT NULL,
            subject TEXT NOT NULL,
            client_id TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            used_at INTEGER,
            revoked_at INTEGER
        );
        CREATE INDEX IF NOT EXISTS refresh_tokens_by_family ON refresh_tokens (family_id);
        """;

    private static readonly long Lifetime = (long)TimeSpan.FromDays(14).TotalMilliseconds;
    private readonly SqliteConnection _connection;
    private readonly TimeProvider _time = TimeProvider.System;

    public TokenPerRowDesign(SqliteConnection connection)
    {
        _connection = connection;
        _connection.Execute(Schema);
    }

    public SqliteConnection Connection => _connection;

    public string Issue(string subject, string clientId)
    {
        var token = NewToken();
        _connection.Execute(
            "INSERT INTO refresh_tokens (token_hash, family_id, subject, client_id, created_at, expires_at) VALUES (@hash, @family, @subject, @clientId, @now, @expires)",
            new { hash = Hash(token), family = RandomNumberGenerator.GetBytes(16), subject, clientId, now = Now(), expires = Now() + Lifetime });
        return token;
    }

    /// <summary>The successor token, or null when the presented one is unknown, expired, revoked or used
    /// (a used token revokes its family).</summary>
    public string? Rotate(string presented)
    {
        var now = Now();
        using var transaction = _connection.BeginTransaction();
        var row = _connection.QuerySingleOrDefault<TokenRow>(
            "SELECT id AS Id, family_id AS FamilyId, subject AS Subject, client_id AS ClientId, expires_at AS ExpiresAt, used_at AS UsedAt, revoked_at AS RevokedAt FROM refresh_tokens WHERE token_hash = @hash",
            new { hash = Hash(presented) }, transaction);
        if (row is null || row.RevokedAt is not null || row.ExpiresAt <= now)
        {
            return null;
        }

        if (row.UsedAt is not null)
        {
            _connection.Execute("UPDATE refresh_tokens SET revoked_at = @now WHERE family_id = @family AND revoked_at IS NULL", new { now, family = row.FamilyId }, transaction);
            transaction.Commit();
            return null;
        }

        if (_connection.Execute("UPDATE refresh_tokens SET used_at = @now WHERE id = @id AND used_at IS NULL", new { now, id = row.Id }, transaction) != 1)
        {
            return null;
        }

        var successor = NewToken();
        _connection.Execute(
            "INSERT INTO refresh_tokens (token_hash, family_id, subject, client_id, created_at, expires_at) VALUES (@hash, @family, @subject, @clientId, @now, @expires)",
            new { hash = Hash(successor), family = row.FamilyId, subject = row.Subject, clientId = row.ClientId, now, expires = now + Lifetime },
            transaction);
        transaction.Commit();
        return successor;
    }

    public void Dispose() => _connection.Dispose();

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    private static byte[] Hash(string token) => SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(token));

    private sealed class TokenRow
    {
        public long Id { get; set; }

        public byte[] FamilyId { get; set; } = [];

        public string Subject { get; set; } = "";

        public string ClientId { get; set; } = "";

        public long ExpiresAt { get; set; }

        public long? UsedAt { get; set; }

        public long? RevokedAt { get; set; }
    }
}
