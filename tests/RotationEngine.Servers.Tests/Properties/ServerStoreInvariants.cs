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

/// <summary>Every invariant of SEMANTICS.md §7 (the property suite of RotationEngine.Testing) on PostgreSQL, a new
/// table per generated case, dropped after it. Fewer cases than in memory: each case creates a table.</summary>
public sealed class PostgresInvariants : InvariantProperties
{
    protected override ValueTask<IFamilyStore> CreateStoreAsync() => ServerStores.PostgresAsync();

    protected override int Cases => 25;

    protected override int LinearizabilityIterations => 60;
}

/// <summary>Every invariant on Redis, a new key prefix per generated case, its keys deleted after it. The store's
/// key expiry (its retention backstop) runs on the Redis server's real clock while the suite jumps a fake one by
/// days, so the backstop is set far beyond any generated retention: pruning is then the engine's, as in the model.</summary>
public sealed class RedisInvariants : InvariantProperties
{
    protected override ValueTask<IFamilyStore> CreateStoreAsync() => ServerStores.RedisAsync();

    protected override int Cases => 25;

    protected override int LinearizabilityIterations => 60;
}

/// <summary>Stores for the property suite on one shared data source / connection, each cleaned up on dispose.</summary>
internal static class ServerStores
{
    private static readonly Lazy<NpgsqlDataSource> Postgres = new(() => NpgsqlDataSource.Create(TestServers.PostgresConnectionString));
    private static readonly Lazy<Task<ConnectionMultiplexer>> Redis = new(() => ConnectionMultiplexer.ConnectAsync(TestServers.RedisConfiguration));

    public static async ValueTask<IFamilyStore> PostgresAsync()
    {
        await TestServers.RequirePostgresAsync();
        var table = PostgresStores.NewTableName();
        var store = new PostgresFamilyStore(new PostgresFamilyStoreOptions { DataSource = Postgres.Value, TableName = table });
        await store.MigrateAsync();
        return new Disposing(store, async () =>
        {
            await using var command = Postgres.Value.CreateCommand($"DROP TABLE IF EXISTS \"{table}\", \"{table}_migrations\"");
            await command.ExecuteNonQueryAsync();
        });
    }

    public static async ValueTask<IFamilyStore> RedisAsync()
    {
        await TestServers.RequireRedisAsync();
        var connection = await Redis.Value;
        var prefix = RedisStores.NewPrefix();
        var store = new RedisFamilyStore(new RedisFamilyStoreOptions { Connection = connection, KeyPrefix = prefix, Retention = TimeSpan.FromDays(3650) });
        return new Disposing(store, async () =>
        {
            foreach (var endpoint in connection.GetEndPoints())
            {
                var keys = connection.GetServer(endpoint).Keys(pattern: prefix + "*").ToArray();
                if (keys.Length > 0)
                {
                    await connection.GetDatabase().KeyDeleteAsync(keys);
                }
            }
        });
    }

    /// <summary>The store, plus a clean-up after its own disposal.</summary>
    private sealed class Disposing(IFamilyStore inner, Func<Task> cleanUp) : IFamilyStore, IAsyncDisposable
    {
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
}
