using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using RotationEngine.Postgres;
using RotationEngine.Postgres.DPoP;
using RotationEngine.Servers.Tests.Infrastructure;
using RotationEngine.Servers.Tests.Postgres;
using RotationEngine.Storage;
using static RotationEngine.Servers.Tests.DPoP.ReplayCacheChecks;

namespace RotationEngine.Servers.Tests.DPoP;

/// <summary>The PostgreSQL DPoP replay cache on the shared server, each test on a table name of its own.</summary>
public sealed class PostgresReplayCacheTests
{
    [Fact]
    public async Task A_live_key_is_refused_and_another_accepted()
    {
        await using var cache = await CreateAsync();
        await RefusesALiveKeyAndAcceptsAnother(cache);
    }

    [Fact]
    public async Task An_expired_key_is_accepted_again()
    {
        await using var cache = await CreateAsync();
        await AcceptsAnExpiredKeyAgain(cache);
    }

    [Fact]
    public async Task Racing_callers_on_two_pools_are_accepted_exactly_once()
    {
        var table = PostgresStores.NewTableName();
        await using var one = await CreateAsync(table);
        await using var two = await CreateAsync(table);
        await RacingCallersAreAcceptedExactlyOnce(one, two);
    }

    [Fact]
    public async Task Another_instance_refuses_a_key_the_first_accepted_but_another_table_does_not()
    {
        var table = PostgresStores.NewTableName();
        await using var one = await CreateAsync(table);
        await using var two = await CreateAsync(table);
        await AnotherInstanceRefusesTheKey(one, two);

        // Another table is another deployment.
        await using var other = await CreateAsync();
        var time = NewClock();
        var key = NewKey();
        Assert.True(await one.TryAddAsync(key, time.GetUtcNow(), time.GetUtcNow() + Window));
        Assert.True(await other.TryAddAsync(key, time.GetUtcNow(), time.GetUtcNow() + Window));
    }

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
    public async Task An_unreachable_server_is_a_RotationStoreException_within_the_connect_timeout()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(TestServers.PostgresOnPort(ClosedPort())) { Timeout = 2 }.ConnectionString;
        await using var cache = new PostgresDPoPReplayCache(new PostgresFamilyStoreOptions { ConnectionString = connectionString, TableName = PostgresStores.NewTableName() });
        var time = NewClock();
        var started = TimeProvider.System.GetTimestamp();

        var fault = await Assert.ThrowsAsync<RotationStoreException>(() => cache.TryAddAsync(NewKey(), time.GetUtcNow(), time.GetUtcNow() + Window).AsTask());

        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(10), $"took {TimeProvider.System.GetElapsedTime(started)}");
        Assert.StartsWith("The PostgreSQL family store failed during ", fault.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("rotation-engine-test", fault.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_call_records_nothing()
    {
        await using var cache = await CreateAsync();
        await ACancelledCallRecordsNothing(cache);
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

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
