using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RotationEngine.OpenIddict.Tests.Infrastructure;

/// <summary>Keeps every log entry of a server (rendered message, exception text), to scan for secrets.</summary>
internal sealed class LogCollector : ILoggerProvider
{
    public ConcurrentQueue<(string Category, EventId Id, LogLevel Level, string Text)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Collector(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Collector(LogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = formatter(state, exception) + " " + exception;
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                text += " " + string.Join(" ", values.Select(v => $"{v.Key}={v.Value}"));
            }

            owner.Entries.Enqueue((category, eventId, logLevel, text));
        }
    }
}
