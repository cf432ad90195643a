using System.Security.Cryptography;
using RotationEngine.Internal;
using RotationEngine.Tokens;

namespace RotationEngine.Benchmarks.Infrastructure;

/// <summary>Hostile inputs built from a real token on the public layout (<see cref="TokenFormat"/>). Tokens are never printed.</summary>
internal static class HostileTokens
{
    /// <summary>The token with a negative generation: right length, prefix, alphabet and canonical encoding, so the
    /// parser decodes all of it before it refuses (the most expensive malformed input; a v2 token has no spare bits
    /// and no checksum).</summary>
    public static string Malformed(string token)
    {
        var parts = Decode(token);
        var malformed = TokenFormat.Encode(parts with { Generation = -1 - parts.Generation });
        Array.Clear(parts.Secret);
        return TokenCodec.TryParse(malformed, out _)
            ? throw new InvalidOperationException("The altered token still parses.")
            : malformed;
    }

    /// <summary>A well-formed token with the real key fingerprint, family id and generation, a random secret and the
    /// old tag: what an attacker who knows a family id can send. Its tag fails before any store access.</summary>
    public static string Forge(string token)
    {
        var parts = Decode(token);
        var forged = TokenFormat.Encode(parts with { Secret = RandomNumberGenerator.GetBytes(TokenFormat.SecretSize) });
        Array.Clear(parts.Secret);
        return forged;
    }

    /// <summary>A forgery of generation <paramref name="generation"/> of a real family: the real key fingerprint and
    /// family id, a random secret and a random tag.</summary>
    public static string Forge(uint keyFingerprint, FamilyId family, int generation, long issuedAt) =>
        TokenFormat.Encode(new TokenParts(keyFingerprint, family, generation, issuedAt, RandomNumberGenerator.GetBytes(TokenFormat.SecretSize), RandomNumberGenerator.GetBytes(TokenFormat.TagSize)));

    private static TokenParts Decode(string token) =>
        TokenFormat.TryDecode(token, out var parts) ? parts : throw new ArgumentException("Not a token.", nameof(token));
}
