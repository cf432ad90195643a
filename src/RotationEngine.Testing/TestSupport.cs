using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RotationEngine.Events;
using RotationEngine.Tokens;
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

/// <summary>Fixed server keys for tests (never use them in production).</summary>
public static class TestKeys
{
    /// <summary>Key "k1": 32 bytes of 0x11.</summary>
    public static ChainKey Primary { get; } = new("k1", Enumerable.Repeat((byte)0x11, 32).ToArray());

    /// <summary>Key "k2": 32 bytes of 0x22.</summary>
    public static ChainKey Secondary { get; } = new("k2", Enumerable.Repeat((byte)0x22, 32).ToArray());

    /// <summary>A ring of <see cref="Primary"/> only.</summary>
    public static KeyRing Ring { get; } = new([Primary]);
}

/// <summary>Builds tampered and forged variants of real tokens (on the public <see cref="TokenFormat"/>), to check
/// that forgery is harmless and free. A forger has no key: every variant keeps the original tag or makes one up.</summary>
public static class TokenForgery
{
    /// <summary>The length of every well-formed token.</summary>
    public static int TokenLength => TokenFormat.Length;

    /// <summary>The same fields and tag under another family's id.</summary>
    public static string WithFamily(string token, FamilyId family) => TokenFormat.Encode(Parse(token) with { FamilyId = family });

    /// <summary>The same fields and tag at another generation.</summary>
    public static string WithGeneration(string token, int generation) => TokenFormat.Encode(Parse(token) with { Generation = generation });

    /// <summary>The same fields and tag with another issue time (Unix milliseconds).</summary>
    public static string WithIssuedAt(string token, long issuedAt) => TokenFormat.Encode(Parse(token) with { IssuedAt = issuedAt });

    /// <summary>The same fields and tag under another key fingerprint.</summary>
    public static string WithFingerprint(string token, uint fingerprint) => TokenFormat.Encode(Parse(token) with { KeyFingerprint = fingerprint });

    /// <summary>The same token with one bit of its secret flipped.</summary>
    public static string WithFlippedSecretBit(string token, int bit)
    {
        var parts = Parse(token);
        var secret = parts.Secret.ToArray();
        secret[bit / 8 % secret.Length] ^= (byte)(1 << (bit % 8));
        return TokenFormat.Encode(parts with { Secret = secret });
    }

    /// <summary>The same token with one bit of its tag flipped.</summary>
    public static string WithFlippedTagBit(string token, int bit)
    {
        var parts = Parse(token);
        var tag = parts.Tag.ToArray();
        tag[bit / 8 % tag.Length] ^= (byte)(1 << (bit % 8));
        return TokenFormat.Encode(parts with { Tag = tag });
    }

    /// <summary>A well-formed token for <paramref name="family"/> at <paramref name="generation"/> with a random secret and
    /// tag, under the fingerprint of <see cref="TestKeys.Primary"/> unless another is given: it reaches the tag check.</summary>
    public static string Random(FamilyId family, int generation, uint? fingerprint = null) =>
        TokenFormat.Encode(new TokenParts(
            fingerprint ?? TestKeys.Primary.Fingerprint,
            family,
            generation,
            1_767_225_600_000,
            System.Security.Cryptography.RandomNumberGenerator.GetBytes(TokenFormat.SecretSize),
            System.Security.Cryptography.RandomNumberGenerator.GetBytes(TokenFormat.TagSize)));

    /// <summary>The family id a well-formed token names.</summary>
    public static FamilyId FamilyOf(string token) => Parse(token).FamilyId;

    /// <summary>The generation a well-formed token carries.</summary>
    public static int GenerationOf(string token) => Parse(token).Generation;

    /// <summary>The issue time a well-formed token carries (Unix milliseconds).</summary>
    public static long IssuedAtOf(string token) => Parse(token).IssuedAt;

    /// <summary>The text forms of the token's secret and tag: what a leak of them would look like.</summary>
    public static IEnumerable<string> SecretEncodings(string token)
    {
        var parts = Parse(token);
        foreach (var bytes in new[] { parts.Secret, parts.Tag })
        {
            yield return Convert.ToBase64String(bytes);
            yield return Convert.ToHexString(bytes);
            yield return Convert.ToHexString(bytes).ToLowerInvariant();
            yield return System.Buffers.Text.Base64Url.EncodeToString(bytes);
        }
    }

    /// <summary>The secret's raw bytes (to scan binary files for).</summary>
    public static byte[] SecretBytes(string token) => Parse(token).Secret;

    private static TokenParts Parse(string token) =>
        TokenFormat.TryDecode(token, out var parts) ? parts : throw new ArgumentException("Not a well-formed token.", nameof(token));
}
