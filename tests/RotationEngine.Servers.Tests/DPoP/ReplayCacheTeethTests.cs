using System.Buffers.Binary;
using System.Globalization;
using Npgsql;
using RotationEngine.DPoP;
using RotationEngine.Servers.Tests.Infrastructure;
using RotationEngine.Servers.Tests.Redis;
using RotationEngine.Storage;
using StackExchange.Redis;
using Xunit.Sdk;
using static RotationEngine.Servers.Tests.DPoP.ReplayCacheChecks;

namespace RotationEngine.Servers.Tests.DPoP;

/// <summary>
/// The checks of <see cref="ReplayCacheChecks"/> have teeth: each deliberately broken cache, on the real servers, fails
/// the check that is about its flaw (and the same checks pass on the real caches in the other classes).
/// </summary>
public sealed class ReplayCacheTeethTests
{
    [Fact]
    public async Task A_cache_that_always_accepts_fails_the_replay_checks()
    {
        var cache = new AlwaysAccepts();
        await Assert.ThrowsAnyAsync<XunitException>(() => RefusesALiveKeyAndAcceptsAnother(cache));
        await Assert.ThrowsAnyAsync<XunitException>(() => AnotherInstanceRefusesTheKey(cache, cache));
        await Assert.ThrowsAnyAsync<XunitException>(() => RacingCallersAreAcceptedExactlyOnce(cache, cache, rounds: 1));
    }

    [Fact]
    public async Task A_Redis_GET_then_SET_passes_the_sequential_checks_and_fails_the_race()
    {
        await TestServers.RequireRedisAsync();
        var prefix = RedisStores.NewPrefix();
        await using var a = await ConnectionMultiplexer.ConnectAsync(TestServers.RedisConfiguration);
        await using var b = await ConnectionMultiplexer.ConnectAsync(TestServers.RedisConfiguration);
        var (one, two) = (new RedisGetThenSet(a.GetDatabase(), prefix), new RedisGetThenSet(b.GetDatabase(), prefix));

        await RefusesALiveKeyAndAcceptsAnother(one);
        await AcceptsAnExpiredKeyAgain(one);
        await AnotherInstanceRefusesTheKey(one, two);
        await Assert.ThrowsAnyAsync<XunitException>(() => RacingCallersAreAcceptedExactlyOnce(one, two));
    }

    [Fact]
    public async Task A_Redis_SET_NX_with_a_server_side_expiry_fails_the_expiry_check()
    {
        await TestServers.RequireRedisAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(TestServers.RedisConfiguration);
        var cache = new RedisSetNx(connection.GetDatabase(), RedisStores.NewPrefix());

        await RefusesALiveKeyAndAcceptsAnother(cache);
        await RacingCallersAreAcceptedExactlyOnce(cache, cache, rounds: 3);
        await Assert.ThrowsAnyAsync<XunitException>(() => AcceptsAnExpiredKeyAgain(cache));
    }

    [Fact]
    public async Task A_PostgreSQL_SELECT_then_upsert_passes_the_sequential_checks_and_fails_the_race()
    {
        var table = Postgres.PostgresStores.NewTableName();
        string dpopTable;
        await using (var real = await PostgresReplayCacheTests.CreateAsync(table))
        {
            // Only to create the table the broken cache then uses.
            var time = NewClock();
            Assert.True(await real.TryAddAsync(NewKey(), time.GetUtcNow(), time.GetUtcNow()));
            dpopTable = real.Table;
        }

        await using var dataSource = NpgsqlDataSource.Create(TestServers.PostgresConnectionString);
        var cache = new PostgresSelectThenUpsert(dataSource, dpopTable);

        await RefusesALiveKeyAndAcceptsAnother(cache);
        await AcceptsAnExpiredKeyAgain(cache);
        await Assert.ThrowsAnyAsync<XunitException>(() => RacingCallersAreAcceptedExactlyOnce(cache, cache));
    }

    private sealed class AlwaysAccepts : IDPoPReplayCache
    {
        public ValueTask<bool> TryAddAsync(UInt128 proofKey, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(true);
    }

    /// <summary>Reads, decides, then writes: right one caller at a time, wrong under a race.</summary>
    private sealed class RedisGetThenSet(IDatabase db, string prefix) : IDPoPReplayCache
    {
        public async ValueTask<bool> TryAddAsync(UInt128 proofKey, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
        {
            RedisKey key = $"{prefix}dpop:{proofKey:x32}";
            var held = await db.StringGetAsync(key);
            if (held.HasValue && long.Parse((string)held!, CultureInfo.InvariantCulture) > FamilyColumns.Milliseconds(now))
            {
                return false;
            }

            await db.StringSetAsync(key, FamilyColumns.Milliseconds(expiresAt).ToString(CultureInfo.InvariantCulture), expiresAt - now);
            return true;
        }
    }

    /// <summary>The one-command idea, <c>SET key 1 NX PX ttl</c>: atomic, but the entry lives in Redis's time, so a key
    /// the caller's clock has expired is still refused.</summary>
    private sealed class RedisSetNx(IDatabase db, string prefix) : IDPoPReplayCache
    {
        public async ValueTask<bool> TryAddAsync(UInt128 proofKey, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) =>
            expiresAt <= now || await db.StringSetAsync($"{prefix}dpop:{proofKey:x32}", 1, expiresAt - now, When.NotExists);
    }

    /// <summary>Reads the row, decides, then upserts unconditionally: right one caller at a time, wrong under a race.</summary>
    private sealed class PostgresSelectThenUpsert(NpgsqlDataSource dataSource, string table) : IDPoPReplayCache
    {
        public async ValueTask<bool> TryAddAsync(UInt128 proofKey, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
        {
            var key = new byte[16];
            BinaryPrimitives.WriteUInt128BigEndian(key, proofKey);
            await using (var read = dataSource.CreateCommand($"SELECT expires_at FROM {table} WHERE proof_key = $1"))
            {
                read.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = key });
                if (await read.ExecuteScalarAsync(cancellationToken) is long held && held > FamilyColumns.Milliseconds(now))
                {
                    return false;
                }
            }

            await using var write = dataSource.CreateCommand($"INSERT INTO {table} (proof_key, expires_at) VALUES ($1, $2) ON CONFLICT (proof_key) DO UPDATE SET expires_at = EXCLUDED.expires_at");
            write.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = key });
            write.Parameters.Add(new NpgsqlParameter<long> { TypedValue = FamilyColumns.Milliseconds(expiresAt) });
            await write.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }
    }
}
