using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RotationEngine.Events;
using RotationEngine.Internal;
using RotationEngine.Keys;

namespace RotationEngine.Testing;

/// <summary>An <see cref="ILoggerProvider"/> that keeps every formatted entry, for asserting that no secret is logged.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    /// <summary>Every entry so far, in order.</summary>
    public IReadOnlyList<CapturedLog> Entries => _entries.ToArray();

    /// <summary>All the captured text: messages, structured values and exceptions.</summary>
    public string AllText => string.Join('\n', _entries.Select(e => e.ToString()));

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<CapturedLog> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : "";
            entries.Enqueue(new CapturedLog(category, logLevel, eventId, formatter(state, exception), values, exception?.ToString()));
        }
    }
}

/// <summary>One captured log entry.</summary>
/// <param name="Category">The logger's category.</param>
/// <param name="Level">The level.</param>
/// <param name="EventId">The event id.</param>
/// <param name="Message">The formatted message.</param>
/// <param name="Values">The structured values, as text.</param>
/// <param name="Exception">The exception, as text.</param>
public sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, string Message, string Values, string? Exception)
{
    /// <inheritdoc />
    public override string ToString() => $"[{Level}] {Category} {EventId.Id}:{EventId.Name} {Message} | {Values} {Exception}";
}

/// <summary>Keeps every <see cref="RotationEvent"/> the engine publishes.</summary>
public sealed class RecordingObserver : IRotationEventObserver
{
    private readonly ConcurrentQueue<RotationEvent> _events = new();

    /// <summary>Every event so far, in order.</summary>
    public IReadOnlyList<RotationEvent> Events => _events.ToArray();

    /// <inheritdoc />
    public void OnEvent(RotationEvent rotationEvent) => _events.Enqueue(rotationEvent);
}

/// <summary>Fixed chain keys for tests (never use them in production).</summary>
public static class TestKeys
{
    /// <summary>Key "k1": 32 bytes of 0x11.</summary>
    public static ChainKey Primary { get; } = new("k1", Enumerable.Repeat((byte)0x11, 32).ToArray());

    /// <summary>Key "k2": 32 bytes of 0x22.</summary>
    public static ChainKey Secondary { get; } = new("k2", Enumerable.Repeat((byte)0x22, 32).ToArray());

    /// <summary>A ring of <see cref="Primary"/> only.</summary>
    public static KeyRing Ring { get; } = new([Primary]);
}

/// <summary>Builds tampered and forged variants of real tokens, to check that forgery is harmless.</summary>
public static class TokenForgery
{
    /// <summary>The length of every well-formed token.</summary>
    public static int TokenLength => TokenCodec.Length;

    /// <summary>The same secret and generation under another family's id, with a valid checksum.</summary>
    public static string WithFamily(string token, FamilyId family)
    {
        var parsed = Parse(token);
        return TokenCodec.Format(family, parsed.Generation, parsed.Secret);
    }

    /// <summary>The same family and secret at another generation, with a valid checksum.</summary>
    public static string WithGeneration(string token, int generation)
    {
        var parsed = Parse(token);
        return TokenCodec.Format(parsed.FamilyId, generation, parsed.Secret);
    }

    /// <summary>The same family and generation with a different secret (one bit flipped), with a valid checksum.</summary>
    public static string WithFlippedSecretBit(string token, int bit)
    {
        var parsed = Parse(token);
        Span<byte> secret = parsed.Secret;
        secret[bit / 8 % secret.Length] ^= (byte)(1 << (bit % 8));
        return TokenCodec.Format(parsed.FamilyId, parsed.Generation, secret);
    }

    /// <summary>A well-formed token with a random secret for <paramref name="family"/> at <paramref name="generation"/>.</summary>
    public static string Random(FamilyId family, int generation)
    {
        Span<byte> secret = stackalloc byte[TokenCodec.SecretSize];
        System.Security.Cryptography.RandomNumberGenerator.Fill(secret);
        return TokenCodec.Format(family, generation, secret);
    }

    /// <summary>The family id a well-formed token names.</summary>
    public static FamilyId FamilyOf(string token) => Parse(token).FamilyId;

    /// <summary>The generation a well-formed token carries.</summary>
    public static int GenerationOf(string token) => Parse(token).Generation;

    /// <summary>The base64 forms of the token's secret: what a leak of the secret would look like.</summary>
    public static IEnumerable<string> SecretEncodings(string token)
    {
        var secret = SecretBytes(token);
        yield return Convert.ToBase64String(secret);
        yield return Convert.ToHexString(secret);
        yield return Convert.ToHexString(secret).ToLowerInvariant();
        yield return System.Buffers.Text.Base64Url.EncodeToString(secret);
    }

    /// <summary>The secret's raw bytes (to scan binary files for).</summary>
    public static byte[] SecretBytes(string token)
    {
        var parsed = Parse(token);
        return ((ReadOnlySpan<byte>)parsed.Secret).ToArray();
    }

    private static ParsedToken Parse(string token) =>
        TokenCodec.TryParse(token, out var parsed) ? parsed : throw new ArgumentException("Not a well-formed token.", nameof(token));
}
