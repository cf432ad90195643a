using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RotationEngine.Redis;
using RotationEngine.Servers.Tests.Infrastructure;
using RotationEngine.Storage;
using RotationEngine.Testing;
using StackExchange.Redis;

namespace RotationEngine.Servers.Tests.Redis;

public sealed class RedisStoreTests
{
    private static readonly RotationPolicy Policy = new()
    {
        TokenLifetime = TimeSpan.FromHours(1),
        FamilyLifetime = TimeSpan.FromDays(2),
        GraceWindow = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public async Task Keys_follow_the_documented_layout_and_expire_after_expiry_plus_retention()
    {
        var prefix = RedisStores.NewPrefix();
        var retention = TimeSpan.FromHours(6);
        await using var store = await RedisStores.CreateAsync(prefix: prefix, retention: retention);
        // The engine's clock is far from Redis's: key lifetimes are relative to the engine's "now".
        var clock = new FakeTimeProvider(new DateTimeOffset(2031, 5, 1, 0, 0, 0, TimeSpan.Zero));
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions { DefaultPolicy = Policy, Retention = retention }, TestKeys.Ring, clock);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(TestServers.RedisConfiguration);
        var db = connection.GetDatabase();

        var issued = await engine.IssueAsync("erin", "web");
        RedisKey family = $"{prefix}family:{{{issued.FamilyId}}}";
        RedisKey subject = $"{prefix}subject:erin";
        RedisKey prune = $"{prefix}prune";

        Assert.Equal(RedisType.Hash, await db.KeyTypeAsync(family));
        Assert.Equal([(RedisValue)issued.FamilyId.ToString()], await db.SetMembersAsync(subject));
        Assert.NotNull(await db.SortedSetScoreAsync(prune, issued.FamilyId.ToString()));
        AssertLife(Policy.TokenLifetime + retention, await db.KeyTimeToLiveAsync(family));
        AssertLife(Policy.FamilyLifetime + retention, await db.KeyTimeToLiveAsync(subject));

        // A rotation slides the idle expiry, so the key lives on from the rotation's "now".
        clock.Advance(TimeSpan.FromMinutes(30));
        var rotated = await engine.RotateAsync(issued.Token);
        Assert.Equal(RotationOutcome.Rotated, rotated.Outcome);
        AssertLife(Policy.TokenLifetime + retention, await db.KeyTimeToLiveAsync(family));

        // Revocation: the key outlives it by the retention only.
        await engine.RevokeFamilyAsync(issued.FamilyId, RevocationReason.SignOut);
        AssertLife(retention, await db.KeyTimeToLiveAsync(family));
        var hash = (await db.HashGetAllAsync(family)).ToDictionary(e => (string)e.Name!, e => e.Value);
        Assert.Equal("1", hash["st"]);
        Assert.DoesNotContain(hash.Values, value => value.ToString().Contains(rotated.Token!, StringComparison.Ordinal));

        // Prune removes every trace of a pruned family.
        clock.Advance(retention + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await engine.PruneAsync());
        Assert.False(await db.KeyExistsAsync(family));
        Assert.False(await db.SetContainsAsync(subject, issued.FamilyId.ToString()));
        Assert.Null(await db.SortedSetScoreAsync(prune, issued.FamilyId.ToString()));
    }

    [Fact]
    public async Task Prune_drops_index_entries_of_keys_that_expired_by_themselves()
    {
        var prefix = RedisStores.NewPrefix();
        await using var store = await RedisStores.CreateAsync(prefix: prefix, retention: TimeSpan.Zero);
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions { DefaultPolicy = Policy with { TokenLifetime = TimeSpan.FromSeconds(1), GraceWindow = TimeSpan.FromMilliseconds(100) }, Retention = TimeSpan.Zero }, TestKeys.Ring, clock);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(TestServers.RedisConfiguration);
        var db = connection.GetDatabase();
        var issued = await engine.IssueAsync("frank", "web");
        RedisKey family = $"{prefix}family:{{{issued.FamilyId}}}";

        // Redis's own clock expires the key one second (token lifetime + zero retention) after issue.
        await Task.Delay(TimeSpan.FromMilliseconds(1300));
        Assert.False(await db.KeyExistsAsync(family));

        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, await engine.PruneAsync()); // nothing left to delete: it pruned itself
        Assert.Equal(0, await db.SortedSetLengthAsync($"{prefix}prune"));
    }

    [Fact]
    public async Task Several_engines_with_skewed_clocks_share_one_store()
    {
        await using var store = await RedisStores.CreateAsync();
        await Scenarios.SeveralEnginesShareOneStoreAsync(store);
    }

    [Fact]
    public async Task UseRedisStore_registers_a_working_store_with_the_engine_retention()
    {
        await TestServers.RequireRedisAsync();
        var prefix = RedisStores.NewPrefix();
        var services = new ServiceCollection();
        services.AddRotationEngine(options =>
            {
                options.DefaultPolicy = Policy;
                options.Retention = TimeSpan.FromMinutes(3);
            })
            .UseRedisStore(options =>
            {
                options.Configuration = TestServers.RedisConfiguration;
                options.KeyPrefix = prefix;
            });
        await using var provider = services.BuildServiceProvider();

        Assert.IsType<RedisFamilyStore>(provider.GetRequiredService<IFamilyStore>());
        var engine = provider.GetRequiredService<RefreshTokenEngine>();
        var issued = await engine.IssueAsync("di", "web");
        Assert.Equal(RotationOutcome.Rotated, (await engine.RotateAsync(issued.Token)).Outcome);
        await engine.RevokeFamilyAsync(issued.FamilyId, RevocationReason.SignOut);

        await using var connection = await ConnectionMultiplexer.ConnectAsync(TestServers.RedisConfiguration);
        AssertLife(TimeSpan.FromMinutes(3), await connection.GetDatabase().KeyTimeToLiveAsync($"{prefix}family:{{{issued.FamilyId}}}"));
    }

    [Fact]
    public async Task Faults_say_the_outcome_is_unknown_and_leak_no_password_or_token()
    {
        const string password = "redis-password-that-must-not-leak";
        await using var real = await RedisStores.CreateAsync();
        var token = (await new RefreshTokenEngine(real, new RotationEngineOptions(), TestKeys.Ring, TimeProvider.System).IssueAsync("leak", "web")).Token;
        var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        var wrongPassword = ConfigurationOptions.Parse(TestServers.RedisConfiguration);
        wrongPassword.Password = password;
        var closedPort = wrongPassword.Clone();
        closedPort.EndPoints.Clear();
        closedPort.EndPoints.Add("127.0.0.1", 1);

        foreach (var options in new[] { wrongPassword, closedPort })
        {
            options.ConnectTimeout = 500;
            options.AsyncTimeout = 1000;
            options.SyncTimeout = 1000;
            await using var broken = new RedisFamilyStore(new RedisFamilyStoreOptions { Configuration = options.ToString(includePassword: true) });
            var engine = new RefreshTokenEngine(broken, new RotationEngineOptions(), TestKeys.Ring, TimeProvider.System, loggerFactory);

            var fault = await Assert.ThrowsAsync<RotationStoreException>(async () => await engine.RotateAsync(token));

            Assert.Contains("outcome", fault.Message, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(password, fault.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(token, fault.ToString(), StringComparison.Ordinal);
        }

        Assert.Contains(logs.Entries, entry => entry.EventId.Name == "StoreFault" && entry.Exception is not null);
        Assert.DoesNotContain(password, logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(token, logs.AllText, StringComparison.Ordinal);
    }

    private static void AssertLife(TimeSpan expected, TimeSpan? actual)
    {
        Assert.NotNull(actual);
        Assert.InRange(actual.Value, expected - TimeSpan.FromSeconds(5), expected);
    }
}
