using System.Security.Cryptography;
using RotationEngine.Internal;

namespace RotationEngine.Benchmarks.Infrastructure;

/// <summary>Hostile inputs built from a real token. Tokens are never printed.</summary>
internal static class Tokens
{
    /// <summary>The token with its last character changed: right length and alphabet, wrong checksum, so the
    /// parser does all of its work before it refuses (the most expensive malformed input).</summary>
    public static string WithBadChecksum(string token)
    {
        var chars = token.ToCharArray();
        chars[^1] = chars[^1] == 'A' ? 'Q' : 'A';
        var malformed = new string(chars);
        return TokenCodec.TryParse(malformed, out _)
            ? throw new InvalidOperationException("The altered token still parses.")
            : malformed;
    }

    /// <summary>A well-formed token (valid checksum) naming the same family and generation with a random
    /// secret: what an attacker who knows a family id can send.</summary>
    public static string Forge(string token)
    {
        if (!TokenCodec.TryParse(token, out var parsed))
        {
            throw new ArgumentException("Not a token.", nameof(token));
        }

        Span<byte> secret = stackalloc byte[TokenCodec.SecretSize];
        RandomNumberGenerator.Fill(secret);
        return TokenCodec.Format(parsed.FamilyId, parsed.Generation, secret);
    }
}
