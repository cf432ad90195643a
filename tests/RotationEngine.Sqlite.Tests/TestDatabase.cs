using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RotationEngine.Storage;

namespace RotationEngine.Sqlite.Tests;

/// <summary>A database file in a fresh temporary directory, deleted with it.</summary>
public sealed class TestDatabase : IDisposable
{
    public TestDatabase()
    {
        Directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "re-sqlite-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Path = System.IO.Path.Combine(Directory, "families.db");
    }

    public string Directory { get; }

    public string Path { get; }

    public SqliteFamilyStore OpenStore(ILoggerFactory? loggerFactory = null, int poolSize = SqliteFamilyStoreOptions.DefaultPoolSize) =>
        new(new SqliteFamilyStoreOptions { DatabasePath = Path, PoolSize = poolSize }, loggerFactory);

    /// <summary>A plain connection for looking at (or editing) the file from outside the store.</summary>
    public SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public object? Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command.ExecuteScalar();
    }

    /// <summary>Runs a statement on the file from outside the store; returns the rows changed.</summary>
    public int Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold the file for a moment; the directory is in the temp folder.
        }
    }
}

/// <summary>Engines, keys and families for tests.</summary>
public static class Fixtures
{
    public const string Client = "web";

    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static string NewKeyBase64() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static RefreshTokenEngine Engine(IFamilyStore store, TimeProvider time, RotationPolicy? policy = null, string? key = null, ILoggerFactory? loggerFactory = null)
    {
        var options = new RotationEngineOptions { DefaultPolicy = policy ?? RotationPolicy.Default };
        options.Keys.Add(new KeyOptions { Id = "k1", Secret = key ?? NewKeyBase64() });
        return new RefreshTokenEngine(store, options, timeProvider: time, loggerFactory: loggerFactory);
    }

    public static FakeTimeProvider Clock() => new(Start);

    public static byte[] NewDigest() => RandomNumberGenerator.GetBytes(FamilyColumns.DigestSize);

    /// <summary>A family as a store sees it (the seal is random: stores never check it).</summary>
    public static FamilyRecord Family(DateTimeOffset now, string subject = "alice", RotationPolicy? policy = null, string? binding = null)
    {
        policy ??= RotationPolicy.Default;
        return new FamilyRecord
        {
            Id = FamilyId.New(),
            Subject = subject,
            ClientId = Client,
            Binding = binding,
            KeyId = "k1",
            Metadata = null,
            CreatedAt = now,
            FamilyExpiresAt = now + policy.FamilyLifetime,
            TokenExpiresAt = now + policy.TokenLifetime,
            Generation = 0,
            Digest = NewDigest(),
            Ledger = "",
            Policy = PolicySnapshot.Of(policy),
            Seal = RandomNumberGenerator.GetBytes(FamilyColumns.DigestSize),
        };
    }

    /// <summary>The command that rotates <paramref name="family"/> at <paramref name="now"/> with its current token.</summary>
    public static RotationCommand Rotation(FamilyRecord family, DateTimeOffset now, byte[]? newDigest = null)
    {
        newDigest ??= NewDigest();
        return new RotationCommand(
            family.Id, family.Generation, family.Digest, newDigest, family.KeyId, family.ClientId, family.Binding,
            family.TokenExpiresAt - family.Policy.TokenLifetime, now, GraceLedger.NewSlot(now, newDigest));
    }
}
