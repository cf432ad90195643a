using System.Security.Cryptography;
using RotationEngine.Keys;

namespace RotationEngine.Internal;

/// <summary>
/// The cryptography of tokens (docs/security.md). One HMAC-SHA-256 under the key's <b>token</b> sub-key over
/// family id | generation | issue time | secret gives 32 bytes: the first 16 are the token's tag, the last 16 the
/// digest the store keeps. Neither half reveals the other or the secret, so a database dump holds nothing a client
/// could present, and a leaked key without a family's current secret produces nothing either. The secret of the next
/// generation is HMAC-SHA-256 under the <b>chain</b> sub-key of family id | generation | secret.
/// </summary>
internal static class TokenCrypto
{
    private const int ChainInputSize = FamilyId.Size + 4 + TokenCodec.SecretSize;

    public static void FillRandom(Span<byte> secret) => RandomNumberGenerator.Fill(secret);

    /// <summary>The tag and the store digest of a token's fields.</summary>
    public static void Mac(ChainKey key, FamilyId familyId, int generation, long issuedAt, ReadOnlySpan<byte> secret, Span<byte> tag, Span<byte> digest)
    {
        Span<byte> input = stackalloc byte[TokenCodec.MacInputSize];
        Span<byte> output = stackalloc byte[32];
        TokenCodec.WriteMacInput(familyId, generation, issuedAt, secret, input);
        try
        {
            key.Token.Compute(input, output);
            output[..TokenCodec.TagSize].CopyTo(tag);
            output[TokenCodec.TagSize..].CopyTo(digest);
        }
        // Stryker disable once Block : the finally block only zeroes stack buffers that are dropped on return; nothing can observe it
        finally
        {
            // Stryker disable once Statement : zeroes a stack buffer that is dropped on return; nothing can observe it
            input.Clear();
            // Stryker disable once Statement : zeroes a stack buffer that is dropped on return; nothing can observe it
            output.Clear();
        }
    }

    /// <summary>Checks a parsed token's tag under <paramref name="key"/> in fixed time and, when it holds, returns
    /// the digest the store must hold for the token.</summary>
    public static bool Verify(ChainKey key, in ParsedToken token, Span<byte> digest)
    {
        Span<byte> tag = stackalloc byte[TokenCodec.TagSize];
        Mac(key, token.FamilyId, token.Generation, token.IssuedAt, token.Secret, tag, digest);
        return CryptographicOperations.FixedTimeEquals(tag, token.Tag);
    }

    /// <summary>Derives the secret of <paramref name="childGeneration"/> from its parent's.
    /// <paramref name="parent"/> and <paramref name="child"/> may be the same memory.</summary>
    public static void DeriveChild(ChainKey key, FamilyId familyId, int childGeneration, ReadOnlySpan<byte> parent, Span<byte> child)
    {
        Span<byte> input = stackalloc byte[ChainInputSize];
        Span<byte> output = stackalloc byte[32];
        familyId.WriteBytes(input);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(input[FamilyId.Size..], childGeneration);
        parent.CopyTo(input[(FamilyId.Size + 4)..]);
        try
        {
            key.Chain.Compute(input, output);
            output.CopyTo(child);
        }
        // Stryker disable once Block : the finally block only zeroes stack buffers that are dropped on return; nothing can observe it
        finally
        {
            // Stryker disable once Statement : zeroes a stack buffer that is dropped on return; nothing can observe it
            input.Clear();
            // Stryker disable once Statement : zeroes a stack buffer that is dropped on return; nothing can observe it
            output.Clear();
        }
    }

    /// <summary>The token of a generation, its tag computed, and its store digest.</summary>
    public static string Issue(ChainKey key, FamilyId familyId, int generation, long issuedAt, ReadOnlySpan<byte> secret, Span<byte> digest)
    {
        Span<byte> tag = stackalloc byte[TokenCodec.TagSize];
        Mac(key, familyId, generation, issuedAt, secret, tag, digest);
        return TokenCodec.Format(key.Fingerprint, familyId, generation, issuedAt, secret, tag);
    }
}
