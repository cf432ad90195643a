using System.Buffers.Binary;
using System.Security.Cryptography;
using RotationEngine.Keys;

namespace RotationEngine.Internal;

/// <summary>
/// The hash chain (SEMANTICS.md §3): secret(g+1) = HMAC-SHA-256(key, "RE1" | family id | g+1 | secret(g));
/// the store keeps SHA-256(secret(g)) only.
/// </summary>
internal static class HashChain
{
    public const int DigestSize = 32;
    private static ReadOnlySpan<byte> Domain => "RE1"u8;
    private const int InputSize = 3 + FamilyId.Size + 4 + TokenCodec.SecretSize;

    public static void FillRandom(Span<byte> secret) => RandomNumberGenerator.Fill(secret);

    /// <summary>Derives the secret of <paramref name="childGeneration"/> from its parent's secret.</summary>
    public static void DeriveChild(ChainKey key, FamilyId familyId, int childGeneration, ReadOnlySpan<byte> parent, Span<byte> child)
    {
        Span<byte> input = stackalloc byte[InputSize];
        Domain.CopyTo(input);
        familyId.WriteBytes(input[3..]);
        BinaryPrimitives.WriteInt32BigEndian(input[(3 + FamilyId.Size)..], childGeneration);
        parent.CopyTo(input[(3 + FamilyId.Size + 4)..]);
        HMACSHA256.HashData(key.Material, input, child);
        input.Clear();
    }

    /// <summary>The one-way digest a store keeps of a secret.</summary>
    public static byte[] Digest(ReadOnlySpan<byte> secret) => SHA256.HashData(secret);

    /// <summary>Whether <paramref name="secret"/> hashes to <paramref name="digest"/>, in fixed time.</summary>
    public static bool Matches(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> digest)
    {
        Span<byte> actual = stackalloc byte[DigestSize];
        SHA256.HashData(secret, actual);
        return CryptographicOperations.FixedTimeEquals(actual, digest);
    }
}
