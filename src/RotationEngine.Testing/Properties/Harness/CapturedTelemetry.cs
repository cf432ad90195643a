using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RotationEngine.Events;

namespace RotationEngine.Testing.Harness;

/// <summary>Everything the engine emitted during a run: formatted log entries with their structured values,
/// events, and the messages of the exceptions callers saw. Scanned for secrets (invariant 7).</summary>
internal sealed class CapturedTelemetry : ILoggerProvider, IRotationEventObserver
{
    private readonly ConcurrentQueue<string> _text = new();
    private readonly ConcurrentQueue<RotationEvent> _events = new();

    /// <summary>Every captured text, in order: log entries, events and exception messages.</summary>
    public IReadOnlyCollection<string> Text => _text;

    public IReadOnlyCollection<RotationEvent> Events => _events;

    public void OnEvent(RotationEvent rotationEvent)
    {
        _events.Enqueue(rotationEvent);
        _text.Enqueue("event: " + rotationEvent);
    }

    public void RecordException(Exception exception) => _text.Enqueue("exception: " + exception);

    public void Record(string text) => _text.Enqueue(text);

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturedTelemetry owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            owner._text.Enqueue($"scope {category}: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : "";
            owner._text.Enqueue($"log {logLevel} {category} {eventId}: {formatter(state, exception)} [{values}] {exception}");
        }
    }
}
