using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RotationEngine.Keys;
using RotationEngine.Redis;
using RotationEngine.Servers.Tests.Infrastructure;
using RotationEngine.Storage;
using RotationEngine.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace RotationEngine.Servers.Tests.Redis;

public sealed class RedisStoreTests(ITestOutputHelper output)
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
        // The engine's clock is far from Redis's: key lifetimes and index scores are in the engine's time.
        var clock = new FakeTimeProvider(new DateTimeOffset(2031, 5, 1, 0, 0, 0, TimeSpan.Zero));
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions { DefaultPolicy = Policy, Retention = retention }, TestKeys.Ring, clock);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(TestServers.RedisConfiguration);
        var db = connection.GetDatabase();

        var issued = await engine.IssueAsync("erin", "web");
        RedisKey family = $"{prefix}family:{{{issued.FamilyId}}}";
        RedisKey subject = $"{prefix}subject:erin";
        RedisKey prune = $"{prefix}prune";
        var record = (await store.FindAsync(issued.FamilyId))!;

        // The hash holds the columns of FamilyColumns by name; a null value is an absent field.
        Assert.Equal(RedisType.Hash, await db.KeyTypeAsync(family));
        var hash = (await db.HashGetAllAsync(family)).ToDictionary(e => (string)e.Name!, e => e.Value);
        var values = FamilyColumns.Values(record);
        Assert.Equal(
            FamilyColumns.All.Where((_, i) => values[i] is not null).Order(StringComparer.Ordinal),
            hash.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(issued.FamilyId.ToString(), (string)hash[FamilyColumns.Id]!);
        Assert.Equal("0", (string)hash[FamilyColumns.Status]!);
        Assert.Equal(FamilyColumns.Milliseconds(record.FamilyExpiresAt).ToString(System.Globalization.CultureInfo.InvariantCulture), (string)hash[FamilyColumns.FamilyExpiresAt]!);
        Assert.Equal(FamilyColumns.DigestSize, ((byte[])hash[FamilyColumns.Digest]!).Length);
        Assert.Equal(FamilyColumns.DigestSize, ((byte[])hash[FamilyColumns.Seal]!).Length);

        // The subject index is scored by the latest time the family's key can live, in engine time.
        Assert.Equal(RedisType.SortedSet, await db.KeyTypeAsync(subject));
        Assert.Equal(FamilyColumns.Milliseconds(record.FamilyExpiresAt + retention), await db.SortedSetScoreAsync(subject, issued.FamilyId.ToString()));
        Assert.Equal(FamilyColumns.Milliseconds(record.PrunableAt), await db.SortedSetScoreAsync(prune, issued.FamilyId.ToString()));
        AssertLife(Policy.TokenLifetime + retention, await db.KeyTimeToLiveAsync(family));
        AssertLife(Policy.FamilyLifetime + retention, await db.KeyTimeToLiveAsync(subject));

        // A rotation slides the idle expiry, so the key lives on from the rotation's "now".
        clock.Advance(TimeSpan.FromMinutes(30));
        var rotated = await engine.RotateAsync(issued.Token, "web");
        Assert.Equal(RotationOutcome.Rotated, rotated.Outcome);
        AssertLife(Policy.TokenLifetime + retention, await db.KeyTimeToLiveAsync(family));

        // Revocation: the key outlives it by the retention only, and the digest is erased.
        await engine.RevokeFamilyAsync(issued.FamilyId, RevocationReason.SignOut);
        AssertLife(retention, await db.KeyTimeToLiveAsync(family));
        hash = (await db.HashGetAllAsync(family)).ToDictionary(e => (string)e.Name!, e => e.Value);
        Assert.Equal("1", (string)hash[FamilyColumns.Status]!);
        Assert.Equal(new byte[FamilyColumns.DigestSize], (byte[])hash[FamilyColumns.Digest]!);
        Assert.DoesNotContain(hash.Values, value => value.ToString().Contains(rotated.Token!, StringComparison.Ordinal));

        // Prune removes every trace of a pruned family.
        clock.Advance(retention + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await engine.PruneAsync());
        Assert.False(await db.KeyExistsAsync(family));
        Assert.Null(await db.SortedSetScoreAsync(subject, issued.FamilyId.ToString()));
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
    public async Task Ids_of_missing_families_stay_in_the_subject_index_until_their_score_passes_and_never_reenter_the_prune_index()
    {
        var prefix = RedisStores.NewPrefix();
        var retention = TimeSpan.FromHours(6);
        await using var store = await RedisStores.CreateAsync(prefix: prefix, retention: retention);
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions { DefaultPolicy = Policy, Retention = retention }, TestKeys.Ring, clock);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(TestServers.RedisConfiguration);
        var db = connection.GetDatabase();
        var listed = await engine.IssueAsync("gina", "web");
        var revoked = await engine.IssueAsync("gina", "web");
        var live = await engine.IssueAsync("gina", "web");
        RedisKey subject = $"{prefix}subject:gina";
        RedisKey prune = $"{prefix}prune";

        // As if Redis had expired two families' keys by itself (or as if their Create were still half-way).
        await db.KeyDeleteAsync($"{prefix}family:{{{listed.FamilyId}}}");
        await db.KeyDeleteAsync($"{prefix}family:{{{revoked.FamilyId}}}");
        await db.SortedSetRemoveAsync(prune, revoked.FamilyId.ToString());

        Assert.Equal(new[] { live.FamilyId }, (await engine.ListFamiliesAsync("gina")).Select(f => f.Id).ToArray());
        Assert.False(await engine.RevokeFamilyAsync(revoked.FamilyId, RevocationReason.SignOut));
        Assert.Null(await db.SortedSetScoreAsync(prune, revoked.FamilyId.ToString()));
        Assert.Equal(1, await engine.RevokeSubjectAsync("gina", RevocationReason.SignOut));
        Assert.Equal(3, await db.SortedSetLengthAsync(subject)); // a missing family is no reason to drop an id

        // At family expiry + retention (engine time) an id's key cannot live any more: the next reader drops it.
        clock.Advance(Policy.FamilyLifetime + retention);
        Assert.Empty(await engine.ListFamiliesAsync("gina"));
        Assert.Equal(3, await db.SortedSetLengthAsync(subject)); // the score is not before now yet
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, await engine.RevokeSubjectAsync("gina", RevocationReason.SignOut));
        Assert.False(await db.KeyExistsAsync(subject));
    }

    [Fact]
    public async Task A_reader_between_the_two_halves_of_Create_cannot_lose_the_family()
    {
        var prefix = RedisStores.NewPrefix();
        var retention = TimeSpan.FromHours(6);
        await using var inner = await RedisStores.CreateAsync(prefix: prefix, retention: retention);
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var connection = await ConnectionMultiplexer.ConnectAsync(TestServers.RedisConfiguration);
        var db = connection.GetDatabase();
        var subject = "seam-" + Guid.NewGuid().ToString("N");
        RedisKey index = $"{prefix}subject:{subject}";
        RefreshTokenEngine engine = null!;
        var windows = 0;
        var split = new SplitCreateStore(inner, async family =>
        {
            // The id is in the index, the family not yet stored, and Create has not returned: the readers may miss
            // the family now (twice each, through the engine and directly), but must leave its id where it is.
            for (var i = 0; i < 2; i++)
            {
                Assert.Empty(await engine.ListFamiliesAsync(subject));
                Assert.Equal(0, await engine.RevokeSubjectAsync(subject, RevocationReason.SignOut));
                Assert.Empty(await inner.ListActiveAsync(subject, clock.GetUtcNow()));
                Assert.Equal(0, await inner.RevokeSubjectAsync(subject, RevocationReason.SignOut, clock.GetUtcNow()));
            }

            Assert.Equal(FamilyColumns.Milliseconds(family.FamilyExpiresAt + retention), await db.SortedSetScoreAsync(index, family.Id.ToString()));
            windows++;
        });
        engine = new RefreshTokenEngine(split, new RotationEngineOptions { DefaultPolicy = Policy, Retention = retention }, TestKeys.Ring, clock);

        var issued = await engine.IssueAsync(subject, "web");
        Assert.Equal(1, windows);

        // Create returned: a ListFamilies and a RevokeSubject that start now see and revoke the family.
        Assert.Equal(new[] { issued.FamilyId }, (await engine.ListFamiliesAsync(subject)).Select(f => f.Id).ToArray());
        Assert.Equal(1, await engine.RevokeSubjectAsync(subject, RevocationReason.CredentialsChanged));
        var answer = await engine.RotateAsync(issued.Token, "web");
        Assert.Equal(RotationOutcome.Revoked, answer.Outcome);
        Assert.Equal(RevocationReason.CredentialsChanged, answer.RevocationReason);
        Assert.Empty(await engine.ListFamiliesAsync(subject));
    }

    [Fact]
    public async Task A_Create_that_stops_after_its_first_half_leaves_an_id_that_readers_skip_until_its_score_passes()
    {
        var prefix = RedisStores.NewPrefix();
        var retention = TimeSpan.FromHours(6);
        await using var store = await RedisStores.CreateAsync(prefix: prefix, retention: retention);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(TestServers.RedisConfiguration);
        var db = connection.GetDatabase();
        var now = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var family = new FamilyRecord
        {
            Id = FamilyId.New(),
            Subject = "crash",
            ClientId = "web",
            KeyId = TestKeys.Primary.Id,
            CreatedAt = now,
            FamilyExpiresAt = now + Policy.FamilyLifetime,
            TokenExpiresAt = now + Policy.TokenLifetime,
            Generation = 0,
            Digest = new byte[FamilyColumns.DigestSize],
            Ledger = "",
            Policy = PolicySnapshot.Of(Policy),
            Seal = new byte[FamilyColumns.DigestSize],
        };
        RedisKey index = $"{prefix}subject:crash";

        await store.IndexAsync(family); // and the process dies

        Assert.Empty(await store.ListActiveAsync("crash", now));
        Assert.Equal(0, await store.RevokeSubjectAsync("crash", RevocationReason.SignOut, now));
        var lastMoment = family.FamilyExpiresAt + retention;
        Assert.Empty(await store.ListActiveAsync("crash", lastMoment));
        Assert.NotNull(await db.SortedSetScoreAsync(index, family.Id.ToString()));
        Assert.Empty(await store.ListActiveAsync("crash", lastMoment.AddMilliseconds(1)));
        Assert.False(await db.KeyExistsAsync(index));
    }

    [Fact]
    public async Task Sign_out_everywhere_misses_no_sign_in_racing_the_sessions_page()
    {
        await using var store = await RedisStores.CreateAsync();
        var report = await Scenarios.SignOutEverywhereAfterRacingSignInsAsync(store);
        output.WriteLine(report.ToString());
        report.AssertNoneMissed();
    }

    [Fact]
    public async Task Several_engines_with_skewed_clocks_share_one_store()
    {
        await using var store = await RedisStores.CreateAsync();
        await Scenarios.SeveralEnginesShareOneStoreAsync(store);
    }

    [Fact]
    public async Task Revocation_erases_the_digest()
    {
        var prefix = RedisStores.NewPrefix();
        await using var store = await RedisStores.CreateAsync(prefix: prefix);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(TestServers.RedisConfiguration);
        await RecordScenarios.RevocationErasesTheDigestAsync(store, new RedisRawRecords(connection.GetDatabase(), prefix));
    }

    [Fact]
    public async Task Rotation_checks_the_presented_issue_time_not_the_stored_token_expiry()
    {
        var prefix = RedisStores.NewPrefix();
        await using var store = await RedisStores.CreateAsync(prefix: prefix);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(TestServers.RedisConfiguration);
        await RecordScenarios.RotationUsesThePresentedIssueTimeAsync(store, new RedisRawRecords(connection.GetDatabase(), prefix));
    }

    [Fact]
    public async Task A_hash_edited_outside_the_engine_is_Tampered()
    {
        var prefix = RedisStores.NewPrefix();
        await using var store = await RedisStores.CreateAsync(prefix: prefix);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(TestServers.RedisConfiguration);
        await RecordScenarios.EditedRecordIsTamperedAsync(store, new RedisRawRecords(connection.GetDatabase(), prefix));
    }

    [Fact]
    public async Task Lua_and_key_metacharacters_in_every_text_round_trip_unchanged()
    {
        await using var store = await RedisStores.CreateAsync();
        await RecordScenarios.HostileTextRoundTripsAsync(store);
    }

    [Fact]
    public async Task UseRedisStore_loads_the_scripts_when_the_host_starts_and_takes_the_engine_retention()
    {
        await TestServers.RequireRedisAsync();
        var prefix = RedisStores.NewPrefix();
        using var host = BuildHost(
            options => options.Retention = TimeSpan.FromMinutes(3),
            options =>
            {
                options.Configuration = TestServers.RedisConfiguration;
                options.KeyPrefix = prefix;
            });
        await host.StartAsync();

        Assert.IsType<RedisFamilyStore>(host.Services.GetRequiredService<IFamilyStore>());
        var engine = host.Services.GetRequiredService<RefreshTokenEngine>();
        var issued = await engine.IssueAsync("di", "web");
        Assert.Equal(RotationOutcome.Rotated, (await engine.RotateAsync(issued.Token, "web")).Outcome);
        await engine.RevokeFamilyAsync(issued.FamilyId, RevocationReason.SignOut);

        await using var connection = await ConnectionMultiplexer.ConnectAsync(TestServers.RedisConfiguration);
        AssertLife(TimeSpan.FromMinutes(3), await connection.GetDatabase().KeyTimeToLiveAsync($"{prefix}family:{{{issued.FamilyId}}}"));
        await host.StopAsync();
    }

    [Fact]
    public async Task UseRedisStore_stops_the_start_on_invalid_options_naming_the_option_and_leaking_no_password()
    {
        const string password = "redis-password-that-must-not-leak";
        using var host = BuildHost(_ => { }, options =>
        {
            options.Configuration = $"127.0.0.1:1,password={password},noSuchOption=1";
            options.KeyPrefix = "auth:{tenant}:";
            options.Database = -2;
            options.Retention = TimeSpan.FromSeconds(-1);
        });

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        foreach (var option in new[] { "Configuration", "KeyPrefix", "Database", "Retention" })
        {
            Assert.Contains("RedisFamilyStoreOptions." + option, refused.Message, StringComparison.Ordinal);
        }

        Assert.Contains("'{' or '}'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("3650.00:00:00", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(password, refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_stops_the_start_leaking_no_password()
    {
        const string password = "redis-password-that-must-not-leak";
        using var host = BuildHost(_ => { }, options => options.Configuration = $"127.0.0.1:1,password={password},connectTimeout=500");

        var refused = await Assert.ThrowsAsync<RotationStoreException>(() => host.StartAsync());

        Assert.Contains("could not connect", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(password, refused.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("KeyPrefix", "a{b")]
    [InlineData("KeyPrefix", "}")]
    [InlineData("Database", "-2")]
    [InlineData("Retention", "-00:00:01")]
    [InlineData("Retention", "3651.00:00:00")]
    [InlineData("Retention", "00:00:00.0015")]
    [InlineData("Configuration", "")]
    [InlineData("Configuration", "127.0.0.1:6379,noSuchOption=1")]
    public void Invalid_options_are_refused_by_the_constructor_with_the_option_named(string option, string value)
    {
        var options = new RedisFamilyStoreOptions { Configuration = "127.0.0.1:6379" };
        switch (option)
        {
            case "KeyPrefix": options.KeyPrefix = value; break;
            case "Database": options.Database = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "Retention": options.Retention = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            default: options.Configuration = value; break;
        }

        var refused = Assert.Throws<OptionsValidationException>(() => new RedisFamilyStore(options));
        Assert.Contains("RedisFamilyStoreOptions." + option, refused.Message, StringComparison.Ordinal);
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

            var fault = await Assert.ThrowsAsync<RotationStoreException>(async () => await engine.RotateAsync(token, "web"));
            var atStart = await Assert.ThrowsAsync<RotationStoreException>(async () => await broken.InitializeAsync());

            foreach (var exception in new Exception[] { fault, atStart })
            {
                Assert.DoesNotContain(password, exception.ToString(), StringComparison.Ordinal);
                Assert.DoesNotContain(token, exception.ToString(), StringComparison.Ordinal);
            }

            Assert.Contains("outcome", fault.Message, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Contains(logs.Entries, entry => entry.EventId.Name == "StoreFault" && entry.Exception is not null);
        Assert.DoesNotContain(password, logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(token, logs.AllText, StringComparison.Ordinal);
    }

    private static IHost BuildHost(Action<RotationEngineOptions> engine, Action<RedisFamilyStoreOptions> store) =>
        new HostBuilder()
            .ConfigureServices(services =>
            {
                services.AddSingleton<IKeyRing>(TestKeys.Ring);
                services.AddRotationEngine(options =>
                {
                    options.DefaultPolicy = Policy;
                    engine(options);
                }).UseRedisStore(store);
            })
            .Build();

    private static void AssertLife(TimeSpan expected, TimeSpan? actual)
    {
        Assert.NotNull(actual);
        Assert.InRange(actual.Value, expected - TimeSpan.FromSeconds(5), expected);
    }
}
