using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.IO.Hashing;
using System.Runtime.CompilerServices;

namespace RotationEngine.Internal;

/// <summary>The 256-bit secret of one generation, held inline so parsing allocates nothing.</summary>
[InlineArray(TokenCodec.SecretSize)]
internal struct SecretBuffer
{
    private byte _element;
}

/// <summary>A token taken apart. Holds a secret: never log it.</summary>
internal struct ParsedToken
{
    public FamilyId FamilyId;
    public int Generation;
    public SecretBuffer Secret;
}

/// <summary>
/// The token format (SEMANTICS.md §3): <c>rt1_</c> then base64url (no padding) of
/// family id (16) | generation (4, big-endian) | secret (32) | CRC-32 of the preceding 52 bytes (4):
/// 79 URL- and cookie-safe characters.
/// </summary>
internal static class TokenCodec
{
    public const string Prefix = "rt1_";
    public const int SecretSize = 32;
    private const int ChecksumOffset = FamilyId.Size + 4 + SecretSize;
    private const int PayloadSize = ChecksumOffset + 4;
    public static readonly int Length = Prefix.Length + Base64Url.GetEncodedLength(PayloadSize);

    public static string Format(FamilyId familyId, int generation, ReadOnlySpan<byte> secret)
    {
        Span<byte> payload = stackalloc byte[PayloadSize];
        familyId.WriteBytes(payload);
        BinaryPrimitives.WriteInt32BigEndian(payload[FamilyId.Size..], generation);
        secret.CopyTo(payload[(FamilyId.Size + 4)..]);
        BinaryPrimitives.WriteUInt32BigEndian(payload[ChecksumOffset..], Crc32.HashToUInt32(payload[..ChecksumOffset]));

        Span<char> chars = stackalloc char[Length];
        Prefix.CopyTo(chars);
        Base64Url.EncodeToChars(payload, chars[Prefix.Length..]);
        payload.Clear();
        var token = new string(chars);
        chars.Clear();
        return token;
    }

    /// <summary>Takes a token apart, or says it is malformed. Reads no store; its time does not depend on
    /// the secret's bytes (fixed length, no early exit inside the secret).</summary>
    public static bool TryParse(string? token, out ParsedToken parsed)
    {
        parsed = default;
        if (token is null || token.Length != Length || !token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var body = token.AsSpan(Prefix.Length);
        Span<byte> payload = stackalloc byte[PayloadSize];
        // The OperationStatus overload never throws (TryDecodeFromChars throws on bad spare bits).
        if (!IsBase64UrlAlphabet(body)
            || Base64Url.DecodeFromChars(body, payload, out _, out var written) != OperationStatus.Done
            || written != PayloadSize)
        {
            return false;
        }

        // Base64url leaves spare bits in the last character; re-encoding rejects the variants that decode to
        // the same bytes, so that exactly one string is each token.
        Span<char> canonical = stackalloc char[body.Length];
        Base64Url.EncodeToChars(payload, canonical);
        var isCanonical = canonical.SequenceEqual(body);
        var checksumMatches = BinaryPrimitives.ReadUInt32BigEndian(payload[ChecksumOffset..]) == Crc32.HashToUInt32(payload[..ChecksumOffset]);
        var generation = BinaryPrimitives.ReadInt32BigEndian(payload[FamilyId.Size..]);
        if (!isCanonical || !checksumMatches || generation < 0)
        {
            payload.Clear();
            return false;
        }

        parsed.FamilyId = FamilyId.FromBytes(payload[..FamilyId.Size]);
        parsed.Generation = generation;
        payload.Slice(FamilyId.Size + 4, SecretSize).CopyTo(parsed.Secret);
        payload.Clear();
        return true;
    }

    private static bool IsBase64UrlAlphabet(ReadOnlySpan<char> text)
    {
        var ok = true;
        foreach (var c in text)
        {
            ok &= c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_';
        }

        return ok;
    }
}
