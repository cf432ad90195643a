using System.Diagnostics;
using Npgsql;
using StackExchange.Redis;

namespace RotationEngine.Servers.Tests.Infrastructure;

/// <summary>
/// The servers the tests use, from the environment that <c>eng/servers.sh</c> prints (defaults match it).
/// When neither is reachable, the first test that needs one runs <c>eng/servers.sh start</c> (which installs
/// PostgreSQL and Redis with apt-get if they are absent) and stops them when the test process exits, so a plain
/// <c>dotnet test</c> works on a fresh machine. Set <c>ROTATION_SERVERS_AUTOSTART=0</c> to turn that off. When a
/// server still cannot be reached every test that needs it fails at once with a message that says why and how
/// to start it (under <c>CI=true</c> too: never a silent skip).
/// </summary>
internal static class TestServers
{
    static TestServers()
    {
        // The concurrency checks (CsCheck's SampleParallel, racing callers) park pool threads; with only a couple of
        // cores the pool then grows too slowly for the drivers' own completions and StackExchange.Redis times out
        // (its documented remedy: raise the pool's minimum). Every server test touches this class first.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(io, 64));
    }

    private static readonly Lazy<Task<string?>> Provisioning = new(ProvisionAsync);
    private static readonly Lazy<Task<bool>> PostgresReachable = new(async () =>
    {
        await Provisioning.Value;
        return await ProbePostgresAsync(PostgresConnectionString);
    });

    private static readonly Lazy<Task<bool>> RedisReachable = new(async () =>
    {
        await Provisioning.Value;
        return await ProbeRedisAsync(RedisConfiguration);
    });

    public static bool InContinuousIntegration =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string PostgresConnectionString =>
        Environment.GetEnvironmentVariable("ROTATION_POSTGRES") is { Length: > 0 } value
            ? value
            : "Host=127.0.0.1;Port=25432;Username=postgres;Password=rotation-engine-test;Database=postgres";

    public static string RedisConfiguration =>
        Environment.GetEnvironmentVariable("ROTATION_REDIS") is { Length: > 0 } value
            ? value
            : "127.0.0.1:26379,password=rotation-engine-test";

    /// <summary>The port of the extra PostgreSQL instance the fault tests start, restart and stop.</summary>
    public static int PrivatePostgresPort => new NpgsqlConnectionStringBuilder(PostgresConnectionString).Port + 1;

    /// <summary>The port of the extra Redis instance the fault and counting tests start, restart and stop.</summary>
    public static int PrivateRedisPort => ConfigurationOptions.Parse(RedisConfiguration).EndPoints[0] switch
    {
        System.Net.IPEndPoint ip => ip.Port,
        System.Net.DnsEndPoint dns => dns.Port,
        var other => throw new InvalidOperationException($"Unexpected Redis end point {other}."),
    } + 1;

    public static async Task RequirePostgresAsync()
    {
        if (!await PostgresReachable.Value)
        {
            Unavailable("PostgreSQL", Describe(PostgresConnectionString));
        }
    }

    public static async Task RequireRedisAsync()
    {
        if (!await RedisReachable.Value)
        {
            Unavailable("Redis", ConfigurationOptions.Parse(RedisConfiguration).EndPoints[0].ToString()!);
        }
    }

    /// <summary>The PostgreSQL connection string for another port (same credentials).</summary>
    public static string PostgresOnPort(int port) =>
        new NpgsqlConnectionStringBuilder(PostgresConnectionString) { Port = port }.ConnectionString;

    /// <summary>The Redis configuration for another port (same password).</summary>
    public static string RedisOnPort(int port)
    {
        var options = ConfigurationOptions.Parse(RedisConfiguration);
        options.EndPoints.Clear();
        options.EndPoints.Add("127.0.0.1", port);
        return options.ToString(includePassword: true);
    }

    /// <summary>Runs <c>eng/servers.sh</c> with <paramref name="arguments"/> and waits for it.</summary>
    public static async Task RunServersScriptAsync(params string[] arguments) => await RunScriptAsync(TimeSpan.FromSeconds(120), arguments);

    /// <summary>Starts the shared servers unless both already answer; null when they are usable, else why not.</summary>
    private static async Task<string?> ProvisionAsync()
    {
        if (await ProbePostgresAsync(PostgresConnectionString) && await ProbeRedisAsync(RedisConfiguration))
        {
            return null;
        }

        if (Environment.GetEnvironmentVariable("ROTATION_SERVERS_AUTOSTART") == "0")
        {
            return "ROTATION_SERVERS_AUTOSTART=0, so the tests did not start them";
        }

        try
        {
            var output = await RunScriptAsync(TimeSpan.FromMinutes(5), "start");
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                // eng/servers.sh prints: export NAME='value'
                if (line.StartsWith("export ", StringComparison.Ordinal) && line.IndexOf('=', StringComparison.Ordinal) is var equals and > 7)
                {
                    Environment.SetEnvironmentVariable(line[7..equals], line[(equals + 1)..].Trim('\''));
                }
            }

            AppDomain.CurrentDomain.ProcessExit += (_, _) => RunScriptAsync(TimeSpan.FromSeconds(60), "stop").GetAwaiter().GetResult();
            return null;
        }
        catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception or OperationCanceledException)
        {
            return "starting them with eng/servers.sh failed: " + exception.Message;
        }
    }

    private static async Task<string> RunScriptAsync(TimeSpan limit, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot(), "eng", "servers.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"eng/servers.sh {string.Join(' ', arguments)} exited with {process.ExitCode}: {await errors}");
        }

        return await output;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "eng", "servers.sh")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("eng/servers.sh not found above " + AppContext.BaseDirectory);
    }

    private static void Unavailable(string server, string endpoint)
    {
        var why = Provisioning.IsValueCreated && Provisioning.Value.IsCompletedSuccessfully ? Provisioning.Value.Result : null;
        var message = $"{server} is not reachable at {endpoint}{(why is null ? "" : $" ({why})")}: run `eval \"$(eng/servers.sh start)\"` first (or set ROTATION_POSTGRES / ROTATION_REDIS).";
        throw new InvalidOperationException(InContinuousIntegration ? $"CI=true and {message}" : message);
    }

    private static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Host}:{builder.Port}";
    }

    private static async Task<bool> ProbePostgresAsync(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 3, Pooling = false };
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync();
            return true;
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or IOException)
        {
            return false;
        }
    }

    private static async Task<bool> ProbeRedisAsync(string configuration)
    {
        try
        {
            var options = ConfigurationOptions.Parse(configuration);
            options.ConnectTimeout = 3000;
            options.AbortOnConnectFail = true;
            await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
            await connection.GetDatabase().PingAsync();
            return true;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or IOException)
        {
            return false;
        }
    }
}
