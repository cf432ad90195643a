using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace RotationEngine.Servers.Tests.Infrastructure;

/// <summary>
/// A TCP proxy on 127.0.0.1 that can cut every connection through it at once: a network failure at an
/// arbitrary instant, including after the server committed a write and before the client read the answer.
/// </summary>
internal sealed class ChaosProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<int, (TcpClient Client, TcpClient Server)> _links = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _nextLink;

    public ChaosProxy(IPEndPoint target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>How many connections were cut.</summary>
    public int Cuts { get; private set; }

    /// <summary>Closes every open connection (both sides).</summary>
    public void CutAll()
    {
        foreach (var (id, link) in _links)
        {
            if (_links.TryRemove(id, out _))
            {
                link.Client.Client.Close(0);
                link.Server.Client.Close(0);
                Cuts++;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        CutAll();
        try
        {
            await _accepting;
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var server = new TcpClient { NoDelay = true };
            try
            {
                await server.ConnectAsync(_target, _stop.Token);
            }
            catch (SocketException)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }

            client.NoDelay = true;
            var id = Interlocked.Increment(ref _nextLink);
            _links[id] = (client, server);
            _ = PumpAsync(id, client, server);
            _ = PumpAsync(id, server, client);
        }
    }

    private async Task PumpAsync(int id, TcpClient from, TcpClient to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.GetStream().ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                await to.GetStream().WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
        }

        if (_links.TryRemove(id, out _))
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
