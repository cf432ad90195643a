using RotationEngine.Tokens;
using Simulator.Core;
using Simulator.Oracle;

namespace Simulator.Simulation;

/// <summary>
/// Makes well-formed forgeries of a real token on the public layout (<see cref="TokenFormat"/>: <c>rt2_</c> + base64url
/// of key fingerprint | family id | generation | issue time | secret | tag): the family id stays real, one other
/// field changes and the tag does not follow, so the engine must reject them by authentication (the tag, or the
/// unknown key) rather than by parsing, and before any store call.
/// </summary>
internal static class TokenForger
{
    /// <summary>The string kinds of <see cref="Forgery"/>, the ones <see cref="Tamper"/> draws from.</summary>
    public static readonly Forgery[] StringKinds = [Forgery.Secret, Forgery.Generation, Forgery.IssueTime, Forgery.Tag, Forgery.KeyFingerprint];

    /// <summary>A forgery of <paramref name="token"/> of a kind drawn from <paramref name="rng"/>.</summary>
    public static string Tamper(string token, ref Prng rng, out Forgery kind)
    {
        kind = StringKinds[rng.Next(StringKinds.Length)];
        var position = rng.Next(32);
        var bit = (byte)(1 << rng.Next(8));
        return Tamper(token, kind, position, bit);
    }

    /// <summary>A forgery of <paramref name="token"/>: <paramref name="kind"/> says which field changes; for a bit flip,
    /// <paramref name="position"/> (any non-negative number, taken modulo the field's size) and <paramref name="bit"/>
    /// say where.</summary>
    public static string Tamper(string token, Forgery kind, int position = 0, byte bit = 1)
    {
        if (!TokenFormat.TryDecode(token, out var parts))
        {
            throw new ArgumentException("Not a well-formed token.", nameof(token));
        }

        try
        {
            var forged = kind switch
            {
                Forgery.Secret => parts with { Secret = Flip(parts.Secret, position, bit) },
                Forgery.Generation => parts with { Generation = parts.Generation == 0 ? 7 : parts.Generation + (position % 2 == 0 ? 1 : -1) },
                Forgery.IssueTime => parts with { IssuedAt = parts.IssuedAt + 86_400_000 },
                Forgery.Tag => parts with { Tag = Flip(parts.Tag, position, bit) },
                Forgery.KeyFingerprint => parts with { KeyFingerprint = parts.KeyFingerprint ^ (1u << (position % 32)) },
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a kind of forged string."),
            };
            var text = TokenFormat.Encode(forged);
            Array.Clear(forged.Secret);
            return text;
        }
        finally
        {
            Array.Clear(parts.Secret);
        }
    }

    private static byte[] Flip(byte[] field, int position, byte bit)
    {
        var copy = (byte[])field.Clone();
        copy[position % copy.Length] ^= bit == 0 ? (byte)1 : bit;
        return copy;
    }
}
