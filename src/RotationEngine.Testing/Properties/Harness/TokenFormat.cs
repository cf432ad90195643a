using System.Buffers.Binary;
using System.Buffers.Text;
using System.IO.Hashing;

namespace RotationEngine.Testing.Harness;

/// <summary>The documented token format (SEMANTICS.md §3, <c>rt1_</c> + base64url of family id 16 | generation 4 |
/// secret 32 | CRC-32 4), re-implemented here from the specification so that forgeries and secret scans do
/// not depend on the engine's own codec.</summary>
internal static class TokenFormat
{
    public const string Prefix = "rt1_";
    public const int FamilyIdOffset = 0;
    public const int GenerationOffset = 16;
    public const int SecretOffset = 20;
    public const int SecretSize = 32;
    public const int ChecksumOffset = 52;
    public const int PayloadSize = 56;

    public static byte[] Decode(string token)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new ArgumentException("Not a token of this format.", nameof(token));
        }

        return Base64Url.DecodeFromChars(token.AsSpan(Prefix.Length));
    }

    /// <summary>Encodes <paramref name="payload"/> with a freshly computed checksum.</summary>
    public static string EncodeWithChecksum(byte[] payload)
    {
        var copy = (byte[])payload.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(ChecksumOffset), Crc32.HashToUInt32(copy.AsSpan(0, ChecksumOffset)));
        return Prefix + Base64Url.EncodeToString(copy);
    }

    public static int GenerationOf(byte[] payload) => BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(GenerationOffset));

    public static void SetGeneration(byte[] payload, int generation) => BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(GenerationOffset), generation);

    public static byte[] SecretOf(string token) => Decode(token).AsSpan(SecretOffset, SecretSize).ToArray();
}
