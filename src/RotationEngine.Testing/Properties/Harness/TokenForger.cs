using RotationEngine.Testing.Model;
using RotationEngine.Tokens;

namespace RotationEngine.Testing.Harness;

/// <summary>Builds the forged string a <see cref="Forgery"/> describes from real tokens, on the public
/// <see cref="TokenFormat"/>.</summary>
internal static class TokenForger
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <param name="forgery">The recipe.</param>
    /// <param name="token">A real token of the target family (null for random text).</param>
    /// <param name="peerToken">A real token of the family whose id is borrowed, if any.</param>
    public static string Build(Forgery forgery, string? token, string? peerToken)
    {
        if (forgery.Kind == ForgeryKind.RandomText || token is null)
        {
            return forgery.Text;
        }

        var bit = forgery.Bit % 8;
        var parts = TokenFormat.TryDecode(token, out var decoded) ? decoded : throw new ArgumentException("Not a well-formed token.", nameof(token));
        switch (forgery.Kind)
        {
            case ForgeryKind.CharacterBitFlip:
                var position = (int)((uint)forgery.Position % (uint)token.Length);
                var chars = token.ToCharArray();
                chars[position] = (char)(chars[position] ^ (1 << bit));
                return new string(chars);
            case ForgeryKind.Truncated:
                return token[..(int)((uint)forgery.Position % (uint)token.Length)];
            case ForgeryKind.Extended:
                return token + Alphabet[(int)((uint)forgery.Position % 64)];
            case ForgeryKind.UpperCasePrefix:
                return TokenFormat.Prefix.ToUpperInvariant() + token[TokenFormat.Prefix.Length..];
            case ForgeryKind.OldPrefix:
                return "rt1_" + token[TokenFormat.Prefix.Length..];
            case ForgeryKind.Whitespace:
                return forgery.Bit % 2 == 0 ? " " + token : token + "\n";
            case ForgeryKind.FingerprintBitFlip:
                return TokenFormat.Encode(parts with { KeyFingerprint = parts.KeyFingerprint ^ (1u << (forgery.Bit % 32)) });
            case ForgeryKind.FamilyIdBitFlip:
                var id = parts.FamilyId.ToByteArray();
                id[(int)((uint)forgery.Position % FamilyId.Size)] ^= (byte)(1 << bit);
                return TokenFormat.Encode(parts with { FamilyId = FamilyId.FromBytes(id) });
            case ForgeryKind.GenerationBitFlip:
                return TokenFormat.Encode(parts with { Generation = parts.Generation ^ (1 << (forgery.Bit % 32)) });
            case ForgeryKind.IssuedAtBitFlip:
                return TokenFormat.Encode(parts with { IssuedAt = parts.IssuedAt ^ (1L << (forgery.Bit % 48)) });
            case ForgeryKind.SecretBitFlip:
                return TokenFormat.Encode(parts with { Secret = Flip(parts.Secret, forgery.Position, bit) });
            case ForgeryKind.TagBitFlip:
                return TokenFormat.Encode(parts with { Tag = Flip(parts.Tag, forgery.Position, bit) });
            case ForgeryKind.OtherFamilyId when peerToken is not null && TokenFormat.TryDecode(peerToken, out var peer):
                return TokenFormat.Encode(parts with { FamilyId = peer.FamilyId });
            case ForgeryKind.OtherFamilyId:
                return TokenFormat.Encode(parts with { Secret = Flip(parts.Secret, forgery.Position, bit) });
            default:
                // UnknownKey: the real token of a foreign family, unchanged.
                return token;
        }
    }

    private static byte[] Flip(byte[] bytes, int position, int bit)
    {
        var copy = bytes.ToArray();
        copy[(int)((uint)position % (uint)copy.Length)] ^= (byte)(1 << bit);
        return copy;
    }
}
