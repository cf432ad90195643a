using Simulator.Core;
using Simulator.Scenarios;

namespace Simulator.Simulation;

/// <summary>
/// The wire: a pool of requests in flight, and each message's fate (lost, duplicated, delayed, reordered) drawn
/// from its sender's stream. It schedules arrivals and timeouts; it never looks inside a request.
/// </summary>
internal sealed class Network(NetworkSettings settings, EventQueue queue, VirtualClock clock, long timeoutMs)
{
    private Request[] _requests = new Request[1024];
    private int[] _free = new int[1024];
    private int _freeCount;
    private int _count;

    /// <summary>The request in slot <paramref name="id"/>.</summary>
    public ref Request this[int id] => ref _requests[id];

    /// <summary>A cleared slot for a new request.</summary>
    public int NewRequest()
    {
        int id;
        if (_freeCount > 0)
        {
            id = _free[--_freeCount];
        }
        else
        {
            if (_count == _requests.Length)
            {
                Array.Resize(ref _requests, _requests.Length * 2);
            }

            id = _count++;
        }

        _requests[id] = default;
        return id;
    }

    /// <summary>One event that referred to the slot is done; the slot is reused once none is left and the
    /// sender is done with it.</summary>
    public void Release(int id)
    {
        ref var request = ref _requests[id];
        if (--request.Pending > 0 || !request.Done)
        {
            return;
        }

        request = default;
        if (_freeCount == _free.Length)
        {
            Array.Resize(ref _free, _free.Length * 2);
        }

        _free[_freeCount++] = id;
    }

    /// <summary>Puts a request on the wire: maybe lost, maybe duplicated, with latency and reordering drawn
    /// from the sender's stream; the sender gives up after its timeout.</summary>
    public void Send(int id, ref Prng rng)
    {
        var lost = rng.Chance(settings.RequestLossRate);
        var duplicated = rng.Chance(settings.DuplicateRate);
        var latency = Latency(ref rng);
        var duplicateLatency = Latency(ref rng);
        ref var request = ref _requests[id];
        var now = clock.NowMs;
        if (!lost)
        {
            request.Pending++;
            queue.Schedule(now + latency, EventKind.RequestArrive, id, 0);
        }

        if (duplicated)
        {
            request.Pending++;
            queue.Schedule(now + duplicateLatency, EventKind.RequestArrive, id, 1);
        }

        request.Pending++;
        queue.Schedule(now + timeoutMs, EventKind.RequestTimeout, id);
    }

    /// <summary>Sends the server's answer back: maybe lost, with latency drawn from the sender's stream.</summary>
    public void Respond(int id, ref Prng rng)
    {
        var lost = rng.Chance(settings.ResponseLossRate);
        var latency = Latency(ref rng);
        if (!lost)
        {
            _requests[id].Pending++;
            queue.Schedule(clock.NowMs + latency, EventKind.ResponseArrive, id);
        }
    }

    private long Latency(ref Prng rng)
    {
        var latency = Math.Max(1, rng.LogNormal(settings.LatencyMedianMs, settings.LatencySigma));
        var reordered = rng.Chance(settings.ReorderRate);
        var holdBack = rng.Between(0, (long)settings.ReorderDelayMs);
        return reordered ? latency + holdBack : latency;
    }
}
