using System.Security.Cryptography;
using System.Text;
using Npgsql;
using RotationEngine.Postgres;
using RotationEngine.Redis;
using RotationEngine.Storage;
using StackExchange.Redis;

namespace Simulator.Stores;

/// <summary>Names a run's own table or key space on a shared server, so that parallel runs never meet.</summary>
internal static class RunNames
{
    public static string Unique(string runName)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(runName + Guid.NewGuid().ToString("N"))))[..10];
        var safe = string.Concat(runName.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_'));
        return $"sim_{safe[..Math.Min(safe.Length, 30)]}_{hash}";
    }
}

/// <summary>PostgreSQL: a table of its own per run on the server the connection string names, dropped afterwards.
/// Every instance and every restart opens a new store (a new connection pool) onto it.</summary>
internal sealed class PostgresStoreProvider(string connectionString, string runName) : IStoreProvider
{
    private readonly string _table = RunNames.Unique(runName);

    public bool CompletesSynchronously => false;

    public IFamilyStore Open() => new PostgresFamilyStore(new PostgresFamilyStoreOptions { ConnectionString = connectionString, TableName = _table });

    public void Close(IFamilyStore handle) => (handle as IDisposable)?.Dispose();

    public void Dispose()
    {
        using var dataSource = NpgsqlDataSource.Create(connectionString);
        using var command = dataSource.CreateCommand($"DROP TABLE IF EXISTS public.{_table}, public.{_table}_migrations, public.{_table}_dpop_proofs");
        command.ExecuteNonQuery();
    }
}

/// <summary>Redis: a key prefix of its own per run on the server the configuration names, deleted afterwards.
/// Every instance and every restart opens a new store (a new connection) onto it.</summary>
internal sealed class RedisStoreProvider(string configuration, string runName) : IStoreProvider
{
    private readonly string _prefix = RunNames.Unique(runName) + ":";

    public bool CompletesSynchronously => false;

    public IFamilyStore Open() => new RedisFamilyStore(new RedisFamilyStoreOptions { Configuration = configuration, KeyPrefix = _prefix });

    public void Close(IFamilyStore handle) => (handle as IDisposable)?.Dispose();

    public void Dispose()
    {
        using var connection = ConnectionMultiplexer.Connect(configuration);
        var database = connection.GetDatabase();
        foreach (var endpoint in connection.GetEndPoints())
        {
            var server = connection.GetServer(endpoint);
            if (server.IsReplica)
            {
                continue;
            }

            foreach (var key in server.Keys(pattern: _prefix + "*", pageSize: 1000))
            {
                database.KeyDelete(key, CommandFlags.FireAndForget);
            }
        }

        database.Ping();
    }
}
