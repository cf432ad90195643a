using System.Collections.Concurrent;
using System.Text;
using Npgsql;
using RotationEngine.Postgres;
using RotationEngine.Redis;
using RotationEngine.Servers.Tests.Infrastructure;
using RotationEngine.Servers.Tests.Postgres;
using RotationEngine.Servers.Tests.Redis;
using RotationEngine.Storage;
using RotationEngine.Testing;
using StackExchange.Redis;

namespace RotationEngine.Servers.Tests.Properties;

/// <summary>Every invariant of docs/semantics.md §7 (the property suite of RotationEngine.Testing) on PostgreSQL, a new
/// table per generated case, dropped after it; invariant 7 scans the table's rows as PostgreSQL stores them. Fewer
/// cases than in memory: each case creates a table.</summary>
public sealed class PostgresInvariants : InvariantProperties
{
    protected override ValueTask<IFamilyStore> CreateStoreAsync() => ServerStores.PostgresAsync();

    protected override ValueTask<byte[]> ReadPersistedBytesAsync(IFamilyStore store) => ((Disposing)store).ReadPersistedAsync();

    protected override int Cases => 25;

    protected override int LinearizabilityIterations => 60;
}

/// <summary>Every invariant on Redis, a new key prefix per generated case, its keys deleted after it. The store's
/// key expiry (its retention backstop) runs on the Redis server's real clock while the suite jumps a fake one by
/// days, so the backstop is set far beyond any generated retention: pruning is then the engine's, as in the model.
/// Invariant 7 scans every value under the prefix.</summary>
public sealed class RedisInvariants : InvariantProperties
{
    protected override ValueTask<IFamilyStore> CreateStoreAsync() => ServerStores.RedisAsync();

    protected override ValueTask<byte[]> ReadPersistedBytesAsync(IFamilyStore store) => ((Disposing)store).ReadPersistedAsync();

    protected override int Cases => 25;

    protected override int LinearizabilityIterations => 60;
}

/// <summary>Every invariant on the three-shard Redis Cluster (the subject and prune indexes on other shards than the
/// families), fewer cases: the cluster shares the machine with the single-instance runs.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterInvariants(RedisCluster cluster) : InvariantProperties
{
    protected override ValueTask<IFamilyStore> CreateStoreAsync()
    {
        cluster.EnsureStarted();
        return ServerStores.RedisAsync(cluster.Configuration);
    }

    protected override ValueTask<byte[]> ReadPersistedBytesAsync(IFamilyStore store) => ((Disposing)store).ReadPersistedAsync();

    protected override int Cases => 15;

    protected override int LinearizabilityIterations => 40;
}

/// <summary>Stores for the property suite on one shared data source / connection per server, each cleaned up on dispose.</summary>
internal static class ServerStores
{
    private static readonly Lazy<NpgsqlDataSource> Postgres = new(() => NpgsqlDataSource.Create(TestServers.PostgresConnectionString));
    private static readonly ConcurrentDictionary<string, Lazy<Task<ConnectionMultiplexer>>> Redis = new(StringComparer.Ordinal);

    public static async ValueTask<IFamilyStore> PostgresAsync()
    {
        await TestServers.RequirePostgresAsync();
        var table = PostgresStores.NewTableName();
        var store = new PostgresFamilyStore(new PostgresFamilyStoreOptions { DataSource = Postgres.Value, TableName = table });
        await store.MigrateAsync();
        return new Disposing(
            store,
            async () =>
            {
                await using var command = Postgres.Value.CreateCommand($"DROP TABLE IF EXISTS \"{table}\", \"{table}_migrations\", \"{table}_dpop_proofs\"");
                await command.ExecuteNonQueryAsync();
            },
            async () =>
            {
                // The rows as PostgreSQL's binary COPY writes them: every column's bytes, bytea raw.
                await using var connection = await Postgres.Value.OpenConnectionAsync();
                await using var copy = await connection.BeginRawBinaryCopyAsync($"COPY {store.Table} TO STDOUT (FORMAT binary)");
                using var bytes = new MemoryStream();
                await copy.CopyToAsync(bytes);
                return bytes.ToArray();
            });
    }

    public static async ValueTask<IFamilyStore> RedisAsync(string? configuration = null)
    {
        if (configuration is null)
        {
            await TestServers.RequireRedisAsync();
        }

        configuration ??= TestServers.RedisConfiguration;
        var connection = await Redis.GetOrAdd(configuration, c => new(() => ConnectionMultiplexer.ConnectAsync(c))).Value;
        var prefix = RedisStores.NewPrefix();
        var store = new RedisFamilyStore(new RedisFamilyStoreOptions { Connection = connection, KeyPrefix = prefix, Retention = TimeSpan.FromDays(3650) });
        var db = connection.GetDatabase();

        // Every key under the prefix, on every primary (a cluster spreads them); one key per command, so that no
        // command spans slots.
        IEnumerable<RedisKey> Keys() => connection.GetEndPoints()
            .Select(endPoint => connection.GetServer(endPoint))
            .Where(server => !server.IsReplica)
            .SelectMany(server => server.Keys(pattern: prefix + "*"))
            .ToArray();

        return new Disposing(
            store,
            async () =>
            {
                foreach (var key in Keys())
                {
                    await db.KeyDeleteAsync(key);
                }
            },
            async () =>
            {
                using var bytes = new MemoryStream();
                foreach (var key in Keys())
                {
                    bytes.Write(Encoding.UTF8.GetBytes(key.ToString()));
                    var values = await db.KeyTypeAsync(key) switch
                    {
                        RedisType.Hash => (await db.HashGetAllAsync(key)).SelectMany(e => new[] { e.Name, e.Value }),
                        RedisType.SortedSet => (await db.SortedSetRangeByRankWithScoresAsync(key)).Select(e => e.Element),
                        var type => throw new InvalidOperationException($"Unexpected {type} key under the store's prefix."),
                    };
                    foreach (var value in values)
                    {
                        bytes.Write((byte[])value!);
                    }
                }

                return bytes.ToArray();
            });
    }
}

/// <summary>The store, plus a clean-up after its own disposal and a reader of what it persisted.</summary>
internal sealed class Disposing(IFamilyStore inner, Func<Task> cleanUp, Func<Task<byte[]>> readPersisted) : IFamilyStore, IAsyncDisposable
{
    public async ValueTask<byte[]> ReadPersistedAsync() => await readPersisted();

    public ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default) => inner.CreateAsync(family, cancellationToken);

    public ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default) => inner.TryRotateAsync(command, cancellationToken);

    public ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default) => inner.FindAsync(id, cancellationToken);

    public ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default) =>
        inner.TryRecordReplayAsync(id, generation, expectedLedger, newLedger, cancellationToken);

    public ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.TryRevokeAsync(id, reason, now, cancellationToken);

    public ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.RevokeSubjectAsync(subject, reason, now, cancellationToken);

    public ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.ListActiveAsync(subject, now, cancellationToken);

    public ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default) =>
        inner.PruneAsync(cutoff, batchSize, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (inner is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        await cleanUp();
    }
}

/// <summary>The readers invariant 7 scans are not vacuous: they return the stored identity and digest bytes.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class PersistedBytesTests(RedisCluster cluster)
{
    public static TheoryData<string> Stores() => new() { "postgres", "redis", "redis-cluster" };

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task The_persisted_bytes_hold_what_the_store_wrote(string kind)
    {
        if (kind == "redis-cluster")
        {
            cluster.EnsureStarted();
        }

        var store = kind switch
        {
            "postgres" => await ServerStores.PostgresAsync(),
            "redis" => await ServerStores.RedisAsync(),
            _ => await ServerStores.RedisAsync(cluster.Configuration),
        };
        await using var disposing = (Disposing)store;
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions(), TestKeys.Ring);
        var issued = await engine.IssueAsync("persisted-" + kind, "web");
        var digest = (await store.FindAsync(issued.FamilyId))!.Digest;

        var bytes = await disposing.ReadPersistedAsync();

        Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("persisted-" + kind)) >= 0);
        Assert.True(bytes.AsSpan().IndexOf(digest) >= 0);
    }
}
