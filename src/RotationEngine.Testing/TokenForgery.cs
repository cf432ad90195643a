using RotationEngine.Tokens;

namespace RotationEngine.Testing;

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
