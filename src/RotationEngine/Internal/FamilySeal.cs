using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using RotationEngine.Keys;
using RotationEngine.Storage;

namespace RotationEngine.Internal;

/// <summary>
/// The seal of a family's identity (docs/security.md): HMAC-SHA-256 under the key's <b>seal</b> sub-key, truncated to
/// 128 bits, over an unambiguous encoding of id, subject, client, binding, metadata, key id, creation time, absolute
/// expiry and the policy snapshot. Strings enter as their UTF-16 code units with a length prefix, so no two
/// different records share an encoding (ill-formed UTF-16 included).
/// </summary>
internal static class FamilySeal
{
    private static ReadOnlySpan<byte> Version => "RotationEngine.Seal.v2"u8;

    /// <summary>The seal of <paramref name="family"/>'s identity under <paramref name="key"/>.</summary>
    public static byte[] Compute(ChainKey key, FamilyRecord family)
    {
        var seal = new byte[FamilyColumns.DigestSize];
        Compute(key, family, seal);
        return seal;
    }

    /// <summary>Whether <paramref name="family"/>'s seal is the one <paramref name="key"/> gives its identity, in fixed time.</summary>
    public static bool Verify(ChainKey key, FamilyRecord family)
    {
        if (family.Seal is not { Length: FamilyColumns.DigestSize })
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[FamilyColumns.DigestSize];
        Compute(key, family, expected);
        return CryptographicOperations.FixedTimeEquals(expected, family.Seal);
    }

    private static void Compute(ChainKey key, FamilyRecord family, Span<byte> seal)
    {
        var policy = family.Policy;
        Span<byte> fixedPart = stackalloc byte[FamilyId.Size + 8 * 4 + 4 * 3 + 1];
        family.Id.WriteBytes(fixedPart);
        var rest = fixedPart[FamilyId.Size..];
        BinaryPrimitives.WriteInt64BigEndian(rest, family.CreatedAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt64BigEndian(rest[8..], family.FamilyExpiresAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt64BigEndian(rest[16..], FamilyColumns.Milliseconds(policy.TokenLifetime));
        BinaryPrimitives.WriteInt64BigEndian(rest[24..], FamilyColumns.Milliseconds(policy.GraceWindow));
        BinaryPrimitives.WriteInt32BigEndian(rest[32..], policy.GraceDepth);
        BinaryPrimitives.WriteInt32BigEndian(rest[36..], policy.GraceMaxReplays ?? -1);
        BinaryPrimitives.WriteInt32BigEndian(rest[40..], policy.MaxGenerations);
        rest[44] = policy.BindingMismatchRevokes ? (byte)1 : (byte)0;

        var hmac = key.Seal.Begin();
        hmac.AppendData(Version);
        hmac.AppendData(fixedPart);
        Append(hmac, family.Subject);
        Append(hmac, family.ClientId);
        Append(hmac, family.Binding);
        Append(hmac, family.Metadata);
        Append(hmac, family.KeyId);
        Span<byte> output = stackalloc byte[32];
        key.Seal.Finish(hmac, output);
        output[..FamilyColumns.DigestSize].CopyTo(seal);
    }

    /// <summary>A string as a 4-byte length (−1 for null) and its UTF-16LE code units.</summary>
    private static void Append(IncrementalHash hmac, string? value)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, value?.Length ?? -1);
        hmac.AppendData(length);
        if (value is null)
        {
            return;
        }

        if (BitConverter.IsLittleEndian)
        {
            hmac.AppendData(MemoryMarshal.AsBytes(value.AsSpan()));
        }
        else
        {
            hmac.AppendData(Encoding.Unicode.GetBytes(value));
        }
    }
}
