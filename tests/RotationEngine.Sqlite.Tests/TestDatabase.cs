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

    public SqliteFamilyStore OpenStore(ILoggerFactory? loggerFactory = null, int poolSize = SqliteStoreOptions.DefaultPoolSize) =>
        new(new SqliteStoreOptions { DatabasePath = Path, PoolSize = poolSize }, loggerFactory);

    /// <summary>A plain connection for looking at the file from outside the store.</summary>
    public SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public object? Scalar(string sql)
    {
        using var connection = OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
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
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static string NewKeyBase64() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static RefreshTokenEngine Engine(IFamilyStore store, TimeProvider time, RotationPolicy? policy = null, string? key = null, ILoggerFactory? loggerFactory = null)
    {
        var options = new RotationEngineOptions { DefaultPolicy = policy ?? RotationPolicy.Default };
        options.Keys.Add(new KeyOptions { Id = "k1", Secret = key ?? NewKeyBase64() });
        return new RefreshTokenEngine(store, options, timeProvider: time, loggerFactory: loggerFactory);
    }

    public static FakeTimeProvider Clock() => new(Start);

    public static FamilyRecord Family(DateTimeOffset now, string subject = "alice", RotationPolicy? policy = null, string? binding = null)
    {
        policy ??= RotationPolicy.Default;
        return new FamilyRecord
        {
            Id = FamilyId.New(),
            Subject = subject,
            ClientId = "web",
            Binding = binding,
            KeyId = "k1",
            Metadata = null,
            CreatedAt = now,
            FamilyExpiresAt = now + policy.FamilyLifetime,
            TokenExpiresAt = now + policy.TokenLifetime,
            Generation = 0,
            Digest = RandomNumberGenerator.GetBytes(32),
            Ledger = "",
            Policy = policy,
        };
    }
}
