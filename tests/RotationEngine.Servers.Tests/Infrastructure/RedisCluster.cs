using StackExchange.Redis;

namespace RotationEngine.Servers.Tests.Infrastructure;

/// <summary>
/// A three-master Redis Cluster of the tests' own (<c>eng/servers.sh start-cluster</c>), so that the claim
/// "every script touches one hash slot" is checked by a server that refuses cross-slot scripts.
/// Set <c>ROTATION_REDIS_CLUSTER</c> to use a running cluster instead.
/// </summary>
public sealed class RedisCluster : IAsyncLifetime
{
    /// <summary>The first of the three ports: <c>ROTATION_REDIS_CLUSTER_PORT</c> as for the script, or 22379.</summary>
    private static readonly int FirstPort = int.TryParse(Environment.GetEnvironmentVariable("ROTATION_REDIS_CLUSTER_PORT"), out var port) ? port : 22379;
    private bool _started;
    private Exception? _startFailure;

    public string Configuration { get; } = Environment.GetEnvironmentVariable("ROTATION_REDIS_CLUSTER") is { Length: > 0 } value
        ? value
        : $"127.0.0.1:{FirstPort},127.0.0.1:{FirstPort + 1},127.0.0.1:{FirstPort + 2},password={ConfigurationOptions.Parse(TestServers.RedisConfiguration).Password}";

    public async Task InitializeAsync()
    {
        try
        {
            await TestServers.RequireRedisAsync();
            if (Environment.GetEnvironmentVariable("ROTATION_REDIS_CLUSTER") is not { Length: > 0 })
            {
                await TestServers.RunServersScriptAsync("start-cluster", FirstPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
                _started = true;
            }
        }
        catch (InvalidOperationException exception)
        {
            _startFailure = exception;
        }
    }

    public void EnsureStarted()
    {
        if (_startFailure is not null)
        {
            throw new InvalidOperationException(_startFailure.Message, _startFailure);
        }
    }

    public async Task DisposeAsync()
    {
        if (_started)
        {
            await TestServers.RunServersScriptAsync("stop-cluster", FirstPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RedisClusterCollection : ICollectionFixture<RedisCluster>
{
    public const string Name = "Redis Cluster";
}
