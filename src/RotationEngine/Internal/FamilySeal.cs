using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
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
        // One buffer and one HMAC call: each separate update crosses into the native hash, which costs more than
        // hashing a few hundred bytes.
        var size = Version.Length + FixedSize + Size(family.Subject) + Size(family.ClientId) + Size(family.Binding) + Size(family.Metadata) + Size(family.KeyId);
        byte[]? rented = null;
        // Stryker disable once Conditional,Equality : stack or pool is only a cost; every byte of the buffer is written before it is hashed
        var buffer = size <= 1024 ? stackalloc byte[size] : (rented = ArrayPool<byte>.Shared.Rent(size)).AsSpan(0, size);
        try
        {
            Version.CopyTo(buffer);
            var rest = buffer[Version.Length..];
            var policy = family.Policy;
            family.Id.WriteBytes(rest);
            BinaryPrimitives.WriteInt64BigEndian(rest[16..], family.CreatedAt.ToUnixTimeMilliseconds());
            BinaryPrimitives.WriteInt64BigEndian(rest[24..], family.FamilyExpiresAt.ToUnixTimeMilliseconds());
            BinaryPrimitives.WriteInt64BigEndian(rest[32..], FamilyColumns.Milliseconds(policy.TokenLifetime));
            BinaryPrimitives.WriteInt64BigEndian(rest[40..], FamilyColumns.Milliseconds(policy.GraceWindow));
            BinaryPrimitives.WriteInt32BigEndian(rest[48..], policy.GraceDepth);
            BinaryPrimitives.WriteInt32BigEndian(rest[52..], policy.GraceMaxReplays ?? -1);
            BinaryPrimitives.WriteInt32BigEndian(rest[56..], policy.MaxGenerations);
            rest[60] = policy.BindingMismatchRevokes ? (byte)1 : (byte)0;
            rest = rest[FixedSize..];
            rest = Write(rest, family.Subject);
            rest = Write(rest, family.ClientId);
            rest = Write(rest, family.Binding);
            rest = Write(rest, family.Metadata);
            Write(rest, family.KeyId);

            Span<byte> output = stackalloc byte[32];
            key.Seal.Compute(buffer, output);
            output[..FamilyColumns.DigestSize].CopyTo(seal);
        }
        finally
        {
            if (rented is not null)
            {
                // Stryker disable once Statement : a buffer not given back to the pool is collected; nothing observes it
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    // Id, two times, two durations, three integers and a flag.
    private const int FixedSize = FamilyId.Size + 8 * 4 + 4 * 3 + 1;

    private static int Size(string? value) => 4 + (value?.Length ?? 0) * 2;

    /// <summary>A string as a 4-byte length (−1 for null) and its UTF-16LE code units; returns what is left.</summary>
    private static Span<byte> Write(Span<byte> destination, string? value)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, value?.Length ?? -1);
        destination = destination[4..];
        if (value is null)
        {
            return destination;
        }

        var bytes = value.Length * 2;
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(value.AsSpan()).CopyTo(destination);
        }
        else
        {
            // Code units as they are, swapped to little-endian (an encoder would replace a lone surrogate with U+FFFD).
            // Stryker disable once Statement : only big-endian hardware runs this branch; the tests run on little-endian
            BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<char, ushort>(value.AsSpan()), MemoryMarshal.Cast<byte, ushort>(destination[..bytes]));
        }

        return destination[bytes..];
    }
}
