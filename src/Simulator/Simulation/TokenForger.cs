using System.Buffers.Binary;
using System.Buffers.Text;
using System.IO.Hashing;
using Simulator.Core;

namespace Simulator.Simulation;

/// <summary>
/// Makes well-formed forgeries of a token (SEMANTICS.md §3 format: <c>rt1_</c> + base64url of family id 16 |
/// generation 4 | secret 32 | CRC-32 4): a flipped secret byte or a shifted generation, with a valid
/// checksum, so that the engine must reject them by authentication rather than by parsing.
/// </summary>
internal static class TokenForger
{
    private const int PrefixLength = 4;
    private const int PayloadSize = 56;
    private const int GenerationOffset = 16;
    private const int SecretOffset = 20;
    private const int ChecksumOffset = 52;

    public static string Tamper(string token, ref Prng rng)
    {
        Span<byte> payload = stackalloc byte[PayloadSize];
        var choice = rng.Next(3);
        var position = rng.Next(32);
        var bit = (byte)(1 << rng.Next(8));
        if (!Base64Url.TryDecodeFromChars(token.AsSpan(PrefixLength), payload, out var written) || written != PayloadSize)
        {
            return "rt1_not-a-token";
        }

        var generation = BinaryPrimitives.ReadInt32BigEndian(payload[GenerationOffset..]);
        switch (choice)
        {
            case 0:
                payload[SecretOffset + position] ^= bit;
                break;
            case 1:
                BinaryPrimitives.WriteInt32BigEndian(payload[GenerationOffset..], generation + 1);
                break;
            default:
                BinaryPrimitives.WriteInt32BigEndian(payload[GenerationOffset..], generation == 0 ? 7 : generation - 1);
                break;
        }

        BinaryPrimitives.WriteUInt32BigEndian(payload[ChecksumOffset..], Crc32.HashToUInt32(payload[..ChecksumOffset]));
        var forged = string.Concat(token.AsSpan(0, PrefixLength), Base64Url.EncodeToString(payload));
        payload.Clear();
        return forged;
    }
}
