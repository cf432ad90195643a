namespace RotationEngine.Internal;

/// <summary>
/// Rate-limits the engine's warning log entries (docs/semantics.md §8) so that a flood of forged tokens or of
/// reuse cannot flood the log: per event id, at most <see cref="PerWindow"/> entries per minute of the engine's clock.
/// What is held back is counted and reported with the first entry of that event id after the minute ends. Events
/// still reach every observer.
/// </summary>
internal sealed class WarningGate(TimeProvider time)
{
    public const int PerWindow = 20;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly Dictionary<int, State> _states = [];
    private readonly Lock _lock = new();

    /// <summary>Whether the warning of <paramref name="eventId"/> may be logged now; when a window has just ended with
    /// entries held back, <paramref name="suppressed"/> says how many.</summary>
    public bool TryEnter(int eventId, out int suppressed)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_states.TryGetValue(eventId, out var state) || now >= state.WindowStart + Window || now < state.WindowStart)
            {
                suppressed = state?.Suppressed ?? 0;
                _states[eventId] = new State { WindowStart = now, Logged = 1 };
                return true;
            }

            suppressed = 0;
            if (state.Logged < PerWindow)
            {
                state.Logged++;
                return true;
            }

            state.Suppressed++;
            return false;
        }
    }

    private sealed class State
    {
        public DateTimeOffset WindowStart;
        public int Logged;
        public int Suppressed;
    }
}
