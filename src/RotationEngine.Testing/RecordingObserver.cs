using System.Collections.Concurrent;
using RotationEngine.Events;

namespace RotationEngine.Testing;

/// <summary>Keeps every <see cref="RotationEvent"/> the engine publishes.</summary>
public sealed class RecordingObserver : IRotationEventObserver
{
    private readonly ConcurrentQueue<RotationEvent> _events = new();

    /// <summary>Every event so far, in order.</summary>
    public IReadOnlyList<RotationEvent> Events => _events.ToArray();

    /// <inheritdoc />
    public void OnEvent(RotationEvent rotationEvent) => _events.Enqueue(rotationEvent);
}
