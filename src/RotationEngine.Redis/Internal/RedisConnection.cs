using RotationEngine.Storage;
using StackExchange.Redis;

namespace RotationEngine.Redis.Internal;

/// <summary>
/// The store's connection: either the host's own multiplexer (never disposed here) or one made from a configuration
/// string on first use, with background reconnection; the database; and the start-up check that loads the scripts on
/// every primary.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable, IDisposable
{
    private readonly int _database;
    private readonly ConfigurationOptions? _configuration;
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private IConnectionMultiplexer? _connection;
    private IDatabase? _db;

    public RedisConnection(RedisFamilyStoreOptions options)
    {
        _database = options.Database;
        if (options.Connection is { } connection)
        {
            _connection = connection;
            _db = connection.GetDatabase(_database);
        }
        else
        {
            _configuration = ConfigurationOptions.Parse(options.Configuration!);

            // Keep reconnecting in the background instead of failing for good when the server is down at start.
            _configuration.AbortOnConnectFail = false;
        }
    }

    /// <summary>The database, connecting first if needed.</summary>
    public ValueTask<IDatabase> DatabaseAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _db) is { } db ? ValueTask.FromResult(db) : ConnectAsync(cancellationToken);

    /// <summary>Connects and loads the scripts on every primary, so that the first calls need no <c>EVAL</c>; an
    /// unreachable server or a refused password is an error here, not a background retry.</summary>
    public async ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = _connection!;
            if (!connection.IsConnected)
            {
                throw new RotationStoreException("The Redis family store could not connect to any server during Initialize (unreachable, or the password was refused).");
            }

            foreach (var endPoint in connection.GetEndPoints())
            {
                var server = connection.GetServer(endPoint);
                if (server.IsConnected && !server.IsReplica)
                {
                    foreach (var script in RedisScripts.All)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        await server.ScriptLoadAsync(script.Text).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (Exception exception) when (RedisFault.IsFault(exception))
        {
            throw RedisFault.Create("Initialize", exception);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _connectGate.Dispose();
        if (_configuration is not null && _connection is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _connectGate.Dispose();
        if (_configuration is not null)
        {
            _connection?.Dispose();
        }
    }

    private async ValueTask<IDatabase> ConnectAsync(CancellationToken cancellationToken)
    {
        await _connectGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_db is { } db)
            {
                return db;
            }

            var connection = await ConnectionMultiplexer.ConnectAsync(_configuration!).ConfigureAwait(false);
            _connection = connection;
            db = connection.GetDatabase(_database);
            Volatile.Write(ref _db, db);
            return db;
        }
        catch (Exception exception) when (RedisFault.IsFault(exception))
        {
            throw RedisFault.Create("Connect", exception);
        }
        finally
        {
            _connectGate.Release();
        }
    }
}
