using System.Buffers.Binary;
using Npgsql;
using RotationEngine.Postgres;
using RotationEngine.Postgres.DPoP;
using RotationEngine.Servers.Tests.Infrastructure;
using RotationEngine.Servers.Tests.Postgres;
using RotationEngine.Storage;
using static RotationEngine.Servers.Tests.DPoP.ReplayCacheChecks;

namespace RotationEngine.Servers.Tests.DPoP;

/// <summary>The PostgreSQL DPoP replay cache on the shared server, each test on a table name of its own.</summary>
public sealed class PostgresReplayCacheTests : SharedReplayCacheContract<PostgresDPoPReplayCache>
{
    protected override string FaultPrefix => "The PostgreSQL family store failed during ";

    protected override TimeSpan UnreachableBudget => TimeSpan.FromSeconds(10);

    protected override string NewScope() => PostgresStores.NewTableName();

    protected override Task<PostgresDPoPReplayCache> CreateCacheAsync(string scope) => CreateAsync(scope);

    protected override PostgresDPoPReplayCache CreateUnreachableCache(int closedPort) => new(new PostgresFamilyStoreOptions
    {
        ConnectionString = new NpgsqlConnectionStringBuilder(TestServers.PostgresOnPort(closedPort)) { Timeout = 2 }.ConnectionString,
        TableName = PostgresStores.NewTableName(),
    });

    [Fact]
    public async Task The_row_is_the_16_byte_key_and_the_expiry_in_engine_milliseconds()
    {
        var table = PostgresStores.NewTableName();
        await using var cache = await CreateAsync(table);
        Assert.Equal($"\"public\".\"{table}_dpop_proofs\"", cache.Table);
        var time = NewClock();
        var key = NewKey();
        Assert.True(await cache.TryAddAsync(key, time.GetUtcNow(), time.GetUtcNow() + Window));

        await using var connection = await OpenAsync();
        await using var read = new NpgsqlCommand($"SELECT proof_key, expires_at FROM {cache.Table}", connection);
        await using var reader = await read.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var expected = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(expected, key);
        Assert.Equal(expected, (byte[])reader[0]);
        Assert.Equal(FamilyColumns.Milliseconds(time.GetUtcNow() + Window), (long)reader[1]);
        Assert.False(await reader.ReadAsync());
    }

    [Fact]
    public async Task The_table_is_migration_3_of_the_store_schema()
    {
        var table = PostgresStores.NewTableName();
        await using var store = await PostgresStores.CreateAsync(table: table);
        await using var connection = await OpenAsync();
        await using var versions = new NpgsqlCommand($"SELECT array_agg(version ORDER BY version) FROM \"{table}_migrations\"", connection);
        Assert.Equal(new[] { 2, 3 }, (int[])(await versions.ExecuteScalarAsync())!);
        await using var exists = new NpgsqlCommand($"SELECT to_regclass('\"{table}_dpop_proofs\"') IS NOT NULL", connection);
        Assert.True((bool)(await exists.ExecuteScalarAsync())!);

        // A cache on a store's migrated table needs no DDL: the migrations table is not touched again.
        await using var cache = await CreateAsync(table);
        var time = NewClock();
        Assert.True(await cache.TryAddAsync(NewKey(), time.GetUtcNow(), time.GetUtcNow() + Window));
        Assert.Equal(new[] { 2, 3 }, (int[])(await versions.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_version_2_database_migrates_to_3_and_keeps_its_families()
    {
        var table = PostgresStores.NewTableName();
        await using var store = await PostgresStores.CreateAsync(table: table);
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions(), RotationEngine.Testing.TestKeys.Ring);
        var issued = await engine.IssueAsync("before-the-upgrade", "web");

        // Back to what a deployment on the previous release holds: version 2, no proofs table.
        await using (var connection = await OpenAsync())
        {
            await using var downgrade = new NpgsqlCommand($"DROP TABLE \"{table}_dpop_proofs\"; DELETE FROM \"{table}_migrations\" WHERE version = 3", connection);
            await downgrade.ExecuteNonQueryAsync();
        }

        await using var upgraded = new PostgresFamilyStore(new PostgresFamilyStoreOptions { ConnectionString = TestServers.PostgresConnectionString, TableName = table });
        Assert.Equal(1, await upgraded.MigrateAsync());
        Assert.NotNull(await upgraded.FindAsync(issued.FamilyId));
        await using var cache = await CreateAsync(table);
        var time = NewClock();
        var key = NewKey();
        Assert.True(await cache.TryAddAsync(key, time.GetUtcNow(), time.GetUtcNow() + Window));
        Assert.False(await cache.TryAddAsync(key, time.GetUtcNow(), time.GetUtcNow() + Window));
    }

    [Fact]
    public async Task Every_thousandth_call_deletes_expired_rows_and_a_prune_is_bounded()
    {
        await using var cache = await CreateAsync();
        var time = NewClock();

        // 999 calls record proofs that expire after a second; the 1,000th, two seconds later, prunes them.
        var early = time.GetUtcNow();
        for (var batch = 0; batch < 999; batch += 37)
        {
            await Task.WhenAll(Enumerable.Range(0, 37).Select(_ => cache.TryAddAsync(NewKey(), early, early.AddSeconds(1)).AsTask()));
        }

        Assert.Equal(999, await CountAsync(cache));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await cache.TryAddAsync(NewKey(), time.GetUtcNow(), time.GetUtcNow() + Window));
        Assert.Equal(1, await CountAsync(cache));

        // A prune deletes at most its batch, and never a live row.
        foreach (var _ in Enumerable.Range(0, 5))
        {
            Assert.True(await cache.TryAddAsync(NewKey(), time.GetUtcNow(), time.GetUtcNow().AddSeconds(1)));
        }

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(3, await cache.PruneAsync(time.GetUtcNow(), 3, CancellationToken.None));
        Assert.Equal(2, await cache.PruneAsync(time.GetUtcNow(), 3, CancellationToken.None));
        Assert.Equal(0, await cache.PruneAsync(time.GetUtcNow(), 3, CancellationToken.None));
        Assert.Equal(1, await CountAsync(cache));
    }

    [Fact]
    public async Task A_call_waiting_on_the_server_is_cancelled_promptly()
    {
        await using var cache = await CreateAsync();
        var time = NewClock();
        var key = NewKey();
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, key);
        Assert.True(await cache.TryAddAsync(NewKey(), time.GetUtcNow(), time.GetUtcNow() + Window), "the first call creates the table");

        // Another session inserts the same key and holds its transaction open: the cache's insert waits on it.
        await using var blocker = await OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand($"INSERT INTO {cache.Table} (proof_key, expires_at) VALUES ($1, 0)", blocker, transaction) { Parameters = { new() { Value = bytes } } })
        {
            await insert.ExecuteNonQueryAsync();
        }

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var started = TimeProvider.System.GetTimestamp();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.TryAddAsync(key, time.GetUtcNow(), time.GetUtcNow() + Window, cancel.Token).AsTask());
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(5), $"took {TimeProvider.System.GetElapsedTime(started)}");

        await transaction.RollbackAsync();
        Assert.True(await cache.TryAddAsync(key, time.GetUtcNow(), time.GetUtcNow() + Window));
    }

    /// <summary>A migrated cache on <paramref name="table"/> (a fresh table name unless given), with a pool of its own.</summary>
    internal static async Task<PostgresDPoPReplayCache> CreateAsync(string? table = null)
    {
        await TestServers.RequirePostgresAsync();
        var cache = new PostgresDPoPReplayCache(new PostgresFamilyStoreOptions
        {
            ConnectionString = TestServers.PostgresConnectionString,
            TableName = table ?? PostgresStores.NewTableName(),
        });
        return cache;
    }

    private static async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(TestServers.PostgresConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<long> CountAsync(PostgresDPoPReplayCache cache)
    {
        await using var connection = await OpenAsync();
        await using var count = new NpgsqlCommand($"SELECT count(*) FROM {cache.Table}", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
