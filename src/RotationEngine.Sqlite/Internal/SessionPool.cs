using System.Collections.Concurrent;

namespace RotationEngine.Sqlite.Internal;

/// <summary>
/// At most <c>size</c> open <see cref="SqliteSession"/>s, each lent to one caller at a time and kept open
/// (with its prepared statements) between calls. The most recently returned session is lent first, so a
/// lightly loaded store keeps using one warm connection.
/// </summary>
internal sealed class SessionPool : IDisposable
{
    private readonly ConcurrentStack<SqliteSession> _idle = new();
    private readonly SemaphoreSlim _slots;
    private readonly Func<SqliteSession> _open;
    private volatile bool _disposed;

    public SessionPool(int size, Func<SqliteSession> open)
    {
        _slots = new SemaphoreSlim(size, size);
        _open = open;
    }

    /// <summary>Lends a session without waiting, if a slot is free.</summary>
    public bool TryRent(out SqliteSession session)
    {
        if (!_slots.Wait(0))
        {
            session = null!;
            return false;
        }

        session = TakeOrOpen();
        return true;
    }

    /// <summary>Lends a session, waiting for a free slot.</summary>
    public async ValueTask<SqliteSession> RentAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        return TakeOrOpen();
    }

    /// <summary>Takes a session back. A session that saw a fault is closed rather than reused.</summary>
    public void Return(SqliteSession session, bool healthy)
    {
        if (healthy && !_disposed)
        {
            _idle.Push(session);
            if (_disposed && _idle.TryPop(out var late))
            {
                late.Dispose();
            }
        }
        else
        {
            session.Dispose();
        }

        _slots.Release();
    }

    /// <summary>Adds an open session that was not rented (the one that migrated the schema) to the idle ones.</summary>
    public void Adopt(SqliteSession session) => _idle.Push(session);

    /// <summary>Closes the idle sessions; sessions still lent are closed when they come back.</summary>
    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryPop(out var session))
        {
            session.Dispose();
        }
    }

    private SqliteSession TakeOrOpen()
    {
        if (_idle.TryPop(out var session))
        {
            return session;
        }

        try
        {
            return _open();
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }
}
