using RotationEngine.Testing.Model;

namespace RotationEngine.Testing.Harness;

/// <summary>Builds the forged string a <see cref="Forgery"/> describes from real tokens.</summary>
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
            case ForgeryKind.NonCanonicalEncoding:
                // 56 bytes are 448 bits: the last of the 75 characters carries 2 spare bits, which must be zero.
                var last = Alphabet.IndexOf(token[^1], StringComparison.Ordinal);
                return token[..^1] + Alphabet[last ^ (1 + (forgery.Bit % 3))];
            case ForgeryKind.StandardBase64:
                return TokenFormat.Prefix + Convert.ToBase64String(TokenFormat.Decode(token));
            case ForgeryKind.UpperCasePrefix:
                return "RT1_" + token[TokenFormat.Prefix.Length..];
            case ForgeryKind.Whitespace:
                return forgery.Bit % 2 == 0 ? " " + token : token + "\n";
            case ForgeryKind.FamilyIdBitFlip:
                return Flip(token, TokenFormat.FamilyIdOffset + (int)((uint)forgery.Position % 16), bit);
            case ForgeryKind.GenerationBitFlip:
                var payload = TokenFormat.Decode(token);
                TokenFormat.SetGeneration(payload, TokenFormat.GenerationOf(payload) ^ (1 << (forgery.Bit % 32)));
                return TokenFormat.EncodeWithChecksum(payload);
            case ForgeryKind.OtherFamilyId when peerToken is not null:
                var mine = TokenFormat.Decode(token);
                TokenFormat.Decode(peerToken).AsSpan(TokenFormat.FamilyIdOffset, 16).CopyTo(mine);
                return TokenFormat.EncodeWithChecksum(mine);
            case ForgeryKind.SecretBitFlip:
            case ForgeryKind.OtherFamilyId:
                return Flip(token, TokenFormat.SecretOffset + (int)((uint)forgery.Position % TokenFormat.SecretSize), bit);
            default:
                // UnknownKey: the real token of a foreign family, unchanged.
                return token;
        }
    }

    private static string Flip(string token, int offset, int bit)
    {
        var payload = TokenFormat.Decode(token);
        payload[offset] ^= (byte)(1 << bit);
        return TokenFormat.EncodeWithChecksum(payload);
    }
}
