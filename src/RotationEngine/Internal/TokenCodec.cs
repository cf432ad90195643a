using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Runtime.CompilerServices;

namespace RotationEngine.Internal;

/// <summary>The 256-bit secret of one generation, held inline so parsing allocates nothing.</summary>
[InlineArray(TokenCodec.SecretSize)]
internal struct SecretBuffer
{
    private byte _element;
}

/// <summary>A 128-bit tag or digest, held inline.</summary>
[InlineArray(TokenCodec.TagSize)]
internal struct TagBuffer
{
    private byte _element;
}

/// <summary>A token taken apart (not yet authenticated). Holds a secret: never log it.</summary>
internal struct ParsedToken
{
    public uint Fingerprint;
    public FamilyId FamilyId;
    public int Generation;
    public long IssuedAt;
    public SecretBuffer Secret;
    public TagBuffer Tag;
}

/// <summary>
/// The token format (docs/semantics.md §3, docs/security.md): <c>rt2_</c> then base64url (no padding) of
/// key fingerprint (4) | family id (16) | generation (4) | issue time in Unix ms (6) | secret (32) | tag (16),
/// all big-endian: 108 URL- and cookie-safe characters. Exactly one string spells each token.
/// </summary>
internal static class TokenCodec
{
    public const string Prefix = "rt2_";
    public const int SecretSize = 32;
    public const int TagSize = 16;
    public const int FingerprintOffset = 0;
    public const int FamilyOffset = 4;
    public const int GenerationOffset = FamilyOffset + FamilyId.Size;
    public const int IssuedAtOffset = GenerationOffset + 4;
    public const int SecretOffset = IssuedAtOffset + 6;
    public const int TagOffset = SecretOffset + SecretSize;
    public const int PayloadSize = TagOffset + TagSize;

    /// <summary>The bytes the tag covers: family id, generation, issue time and secret.</summary>
    public const int MacInputSize = TagOffset - FamilyOffset;

    /// <summary>The largest issue time the 48-bit field holds (Unix ms, the year 10889).</summary>
    public const long MaxIssuedAt = (1L << 48) - 1;

    public static readonly int Length = Prefix.Length + Base64Url.GetEncodedLength(PayloadSize);

    /// <summary>Writes a token from its fields.</summary>
    public static string Format(uint fingerprint, FamilyId familyId, int generation, long issuedAt, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> tag)
    {
        Span<byte> payload = stackalloc byte[PayloadSize];
        BinaryPrimitives.WriteUInt32BigEndian(payload, fingerprint);
        WriteMacInput(familyId, generation, issuedAt, secret, payload[FamilyOffset..TagOffset]);
        tag.CopyTo(payload[TagOffset..]);
        Span<char> chars = stackalloc char[Length];
        Prefix.CopyTo(chars);
        Base64Url.EncodeToChars(payload, chars[Prefix.Length..]);
        // Stryker disable once Statement : hygiene of a stack buffer that dies on return; nothing can read it afterwards
        payload.Clear();
        var token = new string(chars);
        // Stryker disable once Statement : hygiene of a stack buffer that dies on return; nothing can read it afterwards
        chars.Clear();
        return token;
    }

    /// <summary>The input of the token MAC: family id | generation | issue time | secret (58 bytes).</summary>
    public static void WriteMacInput(FamilyId familyId, int generation, long issuedAt, ReadOnlySpan<byte> secret, Span<byte> destination)
    {
        familyId.WriteBytes(destination);
        BinaryPrimitives.WriteInt32BigEndian(destination[FamilyId.Size..], generation);
        WriteUInt48(destination[(FamilyId.Size + 4)..], issuedAt);
        secret.CopyTo(destination[(FamilyId.Size + 10)..]);
    }

    /// <summary>Takes a token apart, or says it is malformed: length, prefix, alphabet, canonical encoding, a
    /// non-negative generation. Authenticates nothing (that is the tag's job) and reads no store; its time does not
    /// depend on the bytes inside (fixed length, no early exit within the encoded part).</summary>
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

        // Base64url leaves spare bits in the last character; re-encoding rejects the variants that decode to the
        // same bytes, so that exactly one string is each token.
        Span<char> canonical = stackalloc char[body.Length];
        Base64Url.EncodeToChars(payload, canonical);
        var isCanonical = canonical.SequenceEqual(body);
        var generation = BinaryPrimitives.ReadInt32BigEndian(payload[GenerationOffset..]);
        if (!isCanonical || generation < 0)
        {
            // Stryker disable once Statement : hygiene of a stack buffer that dies on return; nothing can read it afterwards
            payload.Clear();
            return false;
        }

        parsed.Fingerprint = BinaryPrimitives.ReadUInt32BigEndian(payload);
        parsed.FamilyId = FamilyId.FromBytes(payload.Slice(FamilyOffset, FamilyId.Size));
        parsed.Generation = generation;
        parsed.IssuedAt = ReadUInt48(payload[IssuedAtOffset..]);
        payload.Slice(SecretOffset, SecretSize).CopyTo(parsed.Secret);
        payload.Slice(TagOffset, TagSize).CopyTo(parsed.Tag);
        // Stryker disable once Statement : hygiene of a stack buffer that dies on return; nothing can read it afterwards
        payload.Clear();
        return true;
    }

    private static void WriteUInt48(Span<byte> destination, long value)
    {
        // Stryker disable once Bitwise : >> and >>> differ only in bits 48-63 of the result, which the cast to ushort drops
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)value);
    }

    private static long ReadUInt48(ReadOnlySpan<byte> source) =>
        ((long)BinaryPrimitives.ReadUInt16BigEndian(source) << 32) | BinaryPrimitives.ReadUInt32BigEndian(source[2..]);

    private static bool IsBase64UrlAlphabet(ReadOnlySpan<char> text)
    {
        var ok = true;
        foreach (var c in text)
        {
            // Stryker disable once Assignment,Logical : redundant with the decoder and the canonical re-encoding, which refuse every other character (a TokenCodecTests test tries them all)
            ok &= c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_';
        }

        return ok;
    }
}
