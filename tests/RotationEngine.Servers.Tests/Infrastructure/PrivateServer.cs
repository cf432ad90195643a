namespace RotationEngine.Servers.Tests.Infrastructure;

/// <summary>
/// A server instance of its own (next port after the shared one), for tests that restart it or count its
/// commands without disturbing the other tests. Started through <c>eng/servers.sh start-one</c> once per test
/// class and stopped (data deleted) after it.
/// </summary>
public abstract class PrivateServer(string kind) : IAsyncLifetime
{
    private bool _started;
    private Exception? _startFailure;

    public abstract int Port { get; }

    public async Task InitializeAsync()
    {
        try
        {
            await RequireSharedAsync();
            await TestServers.RunServersScriptAsync("start-one", kind, Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            _started = true;
        }
        catch (InvalidOperationException exception)
        {
            // Reported by each test (as a skip locally, a failure under CI), not as a fixture crash.
            _startFailure = exception;
        }
    }

    /// <summary>Throws the reason the server could not start, if it could not.</summary>
    public void EnsureStarted()
    {
        if (_startFailure is not null)
        {
            throw new InvalidOperationException(_startFailure.Message, _startFailure);
        }
    }

    /// <summary>Restarts the server, keeping its data; returns when it answers again.</summary>
    public Task RestartAsync() =>
        TestServers.RunServersScriptAsync("restart-one", kind, Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public async Task DisposeAsync()
    {
        if (_started)
        {
            await TestServers.RunServersScriptAsync("stop-one", kind, Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The private instance needs the server installed, which a reachable shared one shows.</summary>
    protected abstract Task RequireSharedAsync();
}

public sealed class PrivatePostgresServer() : PrivateServer("postgres")
{
    public override int Port => TestServers.PrivatePostgresPort;

    public string ConnectionString => TestServers.PostgresOnPort(Port);

    protected override Task RequireSharedAsync() => TestServers.RequirePostgresAsync();
}

public sealed class PrivateRedisServer() : PrivateServer("redis")
{
    public override int Port => TestServers.PrivateRedisPort;

    public string Configuration => TestServers.RedisOnPort(Port);

    protected override Task RequireSharedAsync() => TestServers.RequireRedisAsync();
}
