using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RotationEngine.DPoP;
using RotationEngine.Postgres.DPoP;
using RotationEngine.Redis.DPoP;
using RotationEngine.Servers.Tests.Infrastructure;
using RotationEngine.Servers.Tests.Postgres;
using RotationEngine.Servers.Tests.Redis;
using StackExchange.Redis;
using static RotationEngine.Servers.Tests.DPoP.ReplayCacheChecks;

namespace RotationEngine.Servers.Tests.DPoP;

/// <summary><c>UsePostgresDPoPReplayCache()</c> and <c>UseRedisDPoPReplayCache()</c>: they replace the in-memory default
/// whether called before or after <c>AddDPoP()</c>, and the cache uses the store's table name or key prefix.</summary>
public sealed class ReplayCacheRegistrationTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UsePostgresDPoPReplayCache_uses_the_store_table(bool beforeAddDPoP)
    {
        await TestServers.RequirePostgresAsync();
        var table = PostgresStores.NewTableName();
        var services = new ServiceCollection();
        var engine = services.AddRotationEngine(o => o.Keys.Add(new KeyOptions { Id = "k", Secret = Convert.ToBase64String(new byte[32]) }))
            .UsePostgresStore(o => { o.ConnectionString = TestServers.PostgresConnectionString; o.TableName = table; });
        Register(engine, beforeAddDPoP, e => e.UsePostgresDPoPReplayCache());
        await using var provider = services.BuildServiceProvider();

        var cache = Assert.IsType<PostgresDPoPReplayCache>(provider.GetRequiredService<IDPoPReplayCache>());
        Assert.Equal($"\"public\".\"{table}_dpop_proofs\"", cache.Table);
        var time = NewClock();
        Assert.True(await cache.TryAddAsync(NewKey(), time.GetUtcNow(), time.GetUtcNow() + Window));
        await using var connection = new NpgsqlConnection(TestServers.PostgresConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand($"SELECT count(*) FROM \"{table}_dpop_proofs\"", connection);
        Assert.Equal(1L, await count.ExecuteScalarAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UseRedisDPoPReplayCache_uses_the_store_key_prefix(bool beforeAddDPoP)
    {
        await TestServers.RequireRedisAsync();
        var prefix = RedisStores.NewPrefix();
        var services = new ServiceCollection();
        var engine = services.AddRotationEngine(o => o.Keys.Add(new KeyOptions { Id = "k", Secret = Convert.ToBase64String(new byte[32]) }))
            .UseRedisStore(o => { o.Configuration = TestServers.RedisConfiguration; o.KeyPrefix = prefix; });
        Register(engine, beforeAddDPoP, e => e.UseRedisDPoPReplayCache());
        await using var provider = services.BuildServiceProvider();

        var cache = Assert.IsType<RedisDPoPReplayCache>(provider.GetRequiredService<IDPoPReplayCache>());
        var time = NewClock();
        var key = NewKey();
        Assert.True(await cache.TryAddAsync(key, time.GetUtcNow(), time.GetUtcNow() + Window));
        await using var connection = await ConnectionMultiplexer.ConnectAsync(TestServers.RedisConfiguration);
        Assert.True(await connection.GetDatabase().KeyExistsAsync($"{prefix}dpop:{key:x32}"));
    }

    private static void Register(RotationEngine.DependencyInjection.RotationEngineBuilder engine, bool beforeAddDPoP, Action<RotationEngine.DependencyInjection.RotationEngineBuilder> useCache)
    {
        if (beforeAddDPoP)
        {
            useCache(engine);
            engine.AddDPoP();
        }
        else
        {
            engine.AddDPoP();
            useCache(engine);
        }
    }
}
