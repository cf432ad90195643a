namespace Simulator.Core;

/// <summary>What an event does; see <see cref="Simulation.DeterministicSimulation"/> for the handlers.</summary>
internal enum EventKind : byte
{
    SessionStart,
    SessionEnd,
    ViewTimer,
    SignIn,
    RequestArrive,
    ResponseArrive,
    RequestTimeout,
    Theft,
    ThiefAct,
    Restart,
    TrafficLine,
}

/// <summary>One scheduled event. Ordered by time, then by the order of scheduling (sequence).</summary>
internal struct SimEvent
{
    public long Time;
    public long Sequence;
    public EventKind Kind;
    public int A;
    public int B;
    public int C;
}

/// <summary>A binary min-heap of events keyed by (time, sequence): a total order, so runs are deterministic.</summary>
internal sealed class EventQueue
{
    private SimEvent[] _heap = new SimEvent[1024];
    private long _sequence;

    public int Count { get; private set; }

    public void Schedule(long time, EventKind kind, int a, int b = 0, int c = 0)
    {
        if (Count == _heap.Length)
        {
            Array.Resize(ref _heap, _heap.Length * 2);
        }

        var item = new SimEvent { Time = time, Sequence = _sequence++, Kind = kind, A = a, B = b, C = c };
        var i = Count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!Less(item, _heap[parent]))
            {
                break;
            }

            _heap[i] = _heap[parent];
            i = parent;
        }

        _heap[i] = item;
    }

    public bool TryDequeue(out SimEvent item)
    {
        if (Count == 0)
        {
            item = default;
            return false;
        }

        item = _heap[0];
        var last = _heap[--Count];
        var i = 0;
        var half = Count >> 1;
        while (i < half)
        {
            var child = (i << 1) + 1;
            if (child + 1 < Count && Less(_heap[child + 1], _heap[child]))
            {
                child++;
            }

            if (!Less(_heap[child], last))
            {
                break;
            }

            _heap[i] = _heap[child];
            i = child;
        }

        if (Count > 0)
        {
            _heap[i] = last;
        }

        return true;
    }

    private static bool Less(in SimEvent a, in SimEvent b) => a.Time < b.Time || (a.Time == b.Time && a.Sequence < b.Sequence);
}
