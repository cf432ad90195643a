namespace RotationEngine.AspNetCore.Cookies;

/// <summary>
/// One refresh at a time per family, in this process: a family's cookie refreshes are answered in the order they are
/// processed, each answer written before the next is computed. Keys come from unauthenticated token bytes, so entries
/// live only while a request holds or waits for them (no growth with forged family ids).
/// </summary>
internal sealed class FamilyGate
{
    private readonly Dictionary<FamilyId, Entry> _entries = [];

    public int Count
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Waits for the family's turn, at most <paramref name="timeout"/>; after it the caller proceeds
    /// without the gate (<see cref="Lease.Entered"/> false) rather than fail an honest refresh.</summary>
    public async ValueTask<Lease> EnterAsync(FamilyId family, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (_entries)
        {
            if (!_entries.TryGetValue(family, out entry!))
            {
                entry = new Entry();
                _entries[family] = entry;
            }

            entry.Users++;
        }

        bool entered = false;
        try
        {
            entered = await entry.Semaphore.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return new Lease(this, family, entry, entered);
        }
        catch
        {
            Leave(family, entry, entered);
            throw;
        }
    }

    private void Leave(FamilyId family, Entry entry, bool entered)
    {
        lock (_entries)
        {
            if (entered)
            {
                entry.Semaphore.Release();
            }

            if (--entry.Users == 0)
            {
                _entries.Remove(family);
                entry.Semaphore.Dispose();
            }
        }
    }

    internal sealed class Entry
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }
    }

    /// <summary>The family's turn; dispose to give it to the next request.</summary>
    internal sealed class Lease(FamilyGate gate, FamilyId family, Entry entry, bool entered) : IDisposable
    {
        private int _disposed;

        public bool Entered => entered;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                gate.Leave(family, entry, entered);
            }
        }
    }
}
