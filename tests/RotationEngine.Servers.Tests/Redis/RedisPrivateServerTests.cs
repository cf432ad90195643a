using Microsoft.Extensions.Time.Testing;
using RotationEngine.Redis;
using RotationEngine.Servers.Tests.Infrastructure;
using RotationEngine.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace RotationEngine.Servers.Tests.Redis;

/// <summary>Tests that count a server's commands, flush its scripts or restart it: on a Redis instance of their own.</summary>
public sealed class RedisPrivateServerTests(PrivateRedisServer server, ITestOutputHelper output) : IClassFixture<PrivateRedisServer>
{
    /// <summary>Commands a client library sends for itself (handshake, heartbeats), not for the store.</summary>
    private static readonly HashSet<string> HousekeepingCommands = new(StringComparer.Ordinal)
    {
        "info", "ping", "echo", "client", "config", "cluster", "subscribe", "hello", "auth", "select", "role", "sentinel", "command",
    };

    /// <summary>The commands the rotation script runs inside the server.</summary>
    private static readonly string[] RotateScriptCommands = ["hmget", "hset", "pexpire"];

    [Fact]
    public async Task A_rotation_is_one_EVALSHA_and_no_path_scans_the_key_space()
    {
        server.EnsureStarted();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        await using var store = new RedisFamilyStore(new RedisFamilyStoreOptions { Connection = connection, KeyPrefix = RedisStores.NewPrefix() });
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions(), TestKeys.Ring, clock);
        var token = (await engine.IssueAsync("count", "web")).Token;
        token = (await engine.RotateAsync(token, "web")).Token!; // warm: connection, scripts loaded
        await using var admin = await AdminAsync();
        var before = await CommandCallsAsync(admin);
        var sentBefore = connection.GetCounters().Interactive.OperationCount;

        const int rotations = 25;
        for (var i = 0; i < rotations; i++)
        {
            var result = await engine.RotateAsync(token, "web");
            Assert.Equal(RotationOutcome.Rotated, result.Outcome);
            token = result.Token!;
        }

        var sent = connection.GetCounters().Interactive.OperationCount - sentBefore;
        var delta = Delta(before, await CommandCallsAsync(admin));
        output.WriteLine($"client operations: {sent}; server commands: " + string.Join(", ", delta.Select(d => $"{d.Key}={d.Value}")));

        // The client sent one command per rotation, and the server saw one EVALSHA per rotation; commandstats
        // also counts the commands the script runs inside the server, which are no round trips.
        Assert.Equal(rotations, sent);
        Assert.Equal(rotations, delta.GetValueOrDefault("evalsha"));
        Assert.Equal(0, delta.GetValueOrDefault("eval"));
        Assert.All(
            delta.Keys.Where(command => !HousekeepingCommands.Contains(command) && command != "evalsha"),
            command => Assert.Contains(command, RotateScriptCommands));

        // Every other operation, then: no KEYS and no SCAN anywhere.
        await engine.IssueAsync("count", "web");
        await engine.ListFamiliesAsync("count");
        await engine.RevokeSubjectAsync("count", RevocationReason.SignOut);
        clock.Advance(TimeSpan.FromDays(30));
        Assert.Equal(2, await engine.PruneAsync());
        var all = await CommandCallsAsync(admin);
        Assert.DoesNotContain("keys", all.Keys);
        Assert.DoesNotContain("scan", all.Keys);
    }

    [Fact]
    public async Task Scripts_are_reloaded_transparently_after_SCRIPT_FLUSH_and_restart()
    {
        server.EnsureStarted();
        await using var store = await RedisStores.CreateAsync(server.Configuration);
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions(), TestKeys.Ring, new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56)));
        var token = (await engine.IssueAsync("flush", "web")).Token;
        token = (await engine.RotateAsync(token, "web")).Token!;
        await using var admin = await AdminAsync();

        await admin.GetServer(admin.GetEndPoints()[0]).ScriptFlushAsync();
        var before = await CommandCallsAsync(admin);
        for (var i = 0; i < 5; i++)
        {
            var result = await engine.RotateAsync(token, "web");
            Assert.Equal(RotationOutcome.Rotated, result.Outcome);
            token = result.Token!;
        }

        var delta = Delta(before, await CommandCallsAsync(admin));
        Assert.Equal(1, delta.GetValueOrDefault("eval")); // sent in full once after NOSCRIPT, then by hash again

        await server.RestartAsync(); // the data survives (SHUTDOWN SAVE), the script cache does not
        await WaitUntilAsync(async () => (await TryRotateAsync(engine, token)) is { } next && (token = next) is not null);
        Assert.Equal(RotationOutcome.Rotated, (await engine.RotateAsync(token, "web")).Outcome);
    }

    [Fact]
    public async Task InitializeAsync_loads_every_script_so_that_no_call_needs_EVAL()
    {
        server.EnsureStarted();
        await using var admin = await AdminAsync();
        var redis = admin.GetServer(admin.GetEndPoints()[0]);
        await redis.ScriptFlushAsync();
        await using var store = await RedisStores.CreateAsync(server.Configuration);

        await store.InitializeAsync();
        await store.InitializeAsync(); // harmless twice

        foreach (var script in RotationEngine.Redis.Internal.RedisScripts.All)
        {
            Assert.True(await redis.ScriptExistsAsync(script.Sha1));
        }

        var before = await CommandCallsAsync(admin);
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions(), TestKeys.Ring, new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56)));
        var issued = await engine.IssueAsync("loaded", "web");
        Assert.Equal(RotationOutcome.Rotated, (await engine.RotateAsync(issued.Token, "web")).Outcome);
        await engine.ListFamiliesAsync("loaded");
        await engine.RevokeSubjectAsync("loaded", RevocationReason.SignOut);
        Assert.Equal(0, Delta(before, await CommandCallsAsync(admin)).GetValueOrDefault("eval"));
    }

    [Fact]
    public async Task Rotations_survive_a_server_restart_without_a_wrong_outcome_fork_or_loss()
    {
        server.EnsureStarted();
        await using var store = new RedisFamilyStore(new RedisFamilyStoreOptions { Configuration = server.Configuration + ",asyncTimeout=2000,syncTimeout=2000", KeyPrefix = RedisStores.NewPrefix() });

        var report = await Scenarios.RotationSurvivesServerRestartAsync(store, server.RestartAsync);

        output.WriteLine(report.ToString());
        Assert.True(report.Faults > 0, $"The restart caused no store fault, so it proved nothing: {report}");
        Assert.True(report.RotationsAfterRestart > 0, report.ToString());
    }

    private async Task<ConnectionMultiplexer> AdminAsync()
    {
        var options = ConfigurationOptions.Parse(server.Configuration);
        options.AllowAdmin = true;
        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    private static async Task<Dictionary<string, long>> CommandCallsAsync(ConnectionMultiplexer admin)
    {
        var info = await admin.GetServer(admin.GetEndPoints()[0]).InfoAsync("commandstats");
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var entry in info.SelectMany(group => group))
        {
            // cmdstat_evalsha: calls=12,usec=…,failed_calls=…
            var name = entry.Key.Replace("cmdstat_", "", StringComparison.Ordinal).Split('|')[0];
            var count = long.Parse(entry.Value.Split(',')[0].Split('=')[1], System.Globalization.CultureInfo.InvariantCulture);
            calls[name] = calls.GetValueOrDefault(name) + count;
        }

        return calls;
    }

    private static Dictionary<string, long> Delta(Dictionary<string, long> before, Dictionary<string, long> after) =>
        after.Select(a => (a.Key, Value: a.Value - before.GetValueOrDefault(a.Key)))
            .Where(d => d.Value != 0)
            .ToDictionary(d => d.Key, d => d.Value);

    private static async Task<string?> TryRotateAsync(RefreshTokenEngine engine, string token)
    {
        try
        {
            var result = await engine.RotateAsync(token, "web");
            Assert.True(result.Outcome is RotationOutcome.Rotated or RotationOutcome.GraceReplay, $"Unexpected {result}.");
            return result.Token;
        }
        catch (RotationEngine.Storage.RotationStoreException)
        {
            return null;
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("The store did not recover within 10 seconds.");
    }
}
