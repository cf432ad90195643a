using System.Diagnostics.CodeAnalysis;
using RotationEngine.Internal;

namespace RotationEngine.Tokens;

/// <summary>
/// The fields of a refresh token, as <see cref="TokenFormat.TryDecode"/> reads them. Reading them authenticates
/// nothing: only the engine, holding the key, can tell whether the <see cref="Tag"/> is right. Holds the token's
/// secret: never log it.
/// </summary>
/// <param name="KeyFingerprint">The <see cref="Keys.ChainKey.Fingerprint"/> of the family's key.</param>
/// <param name="FamilyId">The family.</param>
/// <param name="Generation">The generation (0 at sign-in).</param>
/// <param name="IssuedAt">When the engine issued this generation (Unix milliseconds).</param>
/// <param name="Secret">The generation's 32-byte secret.</param>
/// <param name="Tag">The 16-byte tag.</param>
public sealed record TokenParts(uint KeyFingerprint, FamilyId FamilyId, int Generation, long IssuedAt, byte[] Secret, byte[] Tag)
{
    /// <inheritdoc />
    public override string ToString() => $"TokenParts {{ FamilyId = {FamilyId}, Generation = {Generation} }}";
}

/// <summary>
/// The refresh-token layout (docs/security.md), for tools: the conformance kit's forgers, secret scanners, the
/// simulator. <c>rt2_</c> then base64url (no padding) of key fingerprint (4 bytes) | family id (16) | generation (4) |
/// issue time in Unix ms (6) | secret (32) | tag (16), all big-endian: 108 URL- and cookie-safe characters.
/// </summary>
public static class TokenFormat
{
    /// <summary>The prefix every token starts with (its version).</summary>
    public const string Prefix = TokenCodec.Prefix;

    /// <summary>The length of every token, in characters.</summary>
    public static int Length => TokenCodec.Length;

    /// <summary>The size of a token's secret, in bytes.</summary>
    public const int SecretSize = TokenCodec.SecretSize;

    /// <summary>The size of a token's tag, in bytes.</summary>
    public const int TagSize = TokenCodec.TagSize;

    /// <summary>Reads the fields of a well-formed token (right length, prefix, alphabet, canonical encoding); false
    /// for anything else. Says nothing about authenticity.</summary>
    public static bool TryDecode([NotNullWhen(true)] string? token, [NotNullWhen(true)] out TokenParts? parts)
    {
        if (!TokenCodec.TryParse(token, out var parsed))
        {
            parts = null;
            return false;
        }

        parts = new TokenParts(
            parsed.Fingerprint,
            parsed.FamilyId,
            parsed.Generation,
            parsed.IssuedAt,
            ((ReadOnlySpan<byte>)parsed.Secret).ToArray(),
            ((ReadOnlySpan<byte>)parsed.Tag).ToArray());
        // Stryker disable once Statement : zeroes the secret's copy in a local that is dropped on return; nothing can observe it
        ((Span<byte>)parsed.Secret).Clear();
        return true;
    }

    /// <summary>Writes a token from its fields as given, tag included (nothing is computed: a token with a changed
    /// field and the old tag is a forgery the engine refuses).</summary>
    /// <exception cref="ArgumentException">A field does not fit the layout.</exception>
    public static string Encode(TokenParts parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Secret is not { Length: SecretSize } || parts.Tag is not { Length: TagSize })
        {
            throw new ArgumentException($"A token's secret is {SecretSize} bytes and its tag {TagSize}.", nameof(parts));
        }

        if (parts.IssuedAt is < 0 or > TokenCodec.MaxIssuedAt)
        {
            throw new ArgumentException("A token's issue time is a 48-bit count of Unix milliseconds.", nameof(parts));
        }

        return TokenCodec.Format(parts.KeyFingerprint, parts.FamilyId, parts.Generation, parts.IssuedAt, parts.Secret, parts.Tag);
    }
}
