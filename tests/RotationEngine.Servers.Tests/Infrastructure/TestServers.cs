using System.Diagnostics;
using Npgsql;
using StackExchange.Redis;

namespace RotationEngine.Servers.Tests.Infrastructure;

/// <summary>
/// The servers the tests use, from the environment that <c>eng/servers.sh</c> prints (defaults match it).
/// When a server is unreachable every test that needs it fails at once with a message that says how to start
/// it. (xunit 2 has no dynamic skip, and the inherited conformance facts cannot carry a conditional skip, so a
/// local run without servers fails too; filter with <c>--filter "FullyQualifiedName!~Servers"</c> to leave them out.)
/// </summary>
internal static class TestServers
{
    private static readonly Lazy<Task<bool>> PostgresReachable = new(() => ProbePostgresAsync(PostgresConnectionString));
    private static readonly Lazy<Task<bool>> RedisReachable = new(() => ProbeRedisAsync(RedisConfiguration));

    public static bool InContinuousIntegration =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string PostgresConnectionString =>
        Environment.GetEnvironmentVariable("ROTATION_POSTGRES") is { Length: > 0 } value
            ? value
            : "Host=127.0.0.1;Port=55432;Username=postgres;Password=rotation-engine-test;Database=postgres";

    public static string RedisConfiguration =>
        Environment.GetEnvironmentVariable("ROTATION_REDIS") is { Length: > 0 } value
            ? value
            : "127.0.0.1:56379,password=rotation-engine-test";

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
    public static async Task RunServersScriptAsync(params string[] arguments)
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
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        await output;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"eng/servers.sh {string.Join(' ', arguments)} exited with {process.ExitCode}: {await errors}");
        }
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
        var message = $"{server} is not reachable at {endpoint}: run `eval \"$(eng/servers.sh start)\"` first (or set ROTATION_POSTGRES / ROTATION_REDIS).";
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
