using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using RotationEngine.Internal;
using RotationEngine.Keys;
using RotationEngine.Storage;

namespace RotationEngine.Benchmarks.Infrastructure;

/// <summary>
/// The bare work of one honest v2 rotation, with no engine and no store around it (docs/security.md): parse the
/// presented token, verify its tag (one HMAC-SHA-256 under the token sub-key, which also yields the stored digest),
/// derive the next secret (one HMAC under the chain sub-key), MAC the next token (one HMAC under the token sub-key:
/// its tag and its digest), verify the seal of the family record the store returns (one HMAC under the seal
/// sub-key over the sealed identity), and format the next token. <see cref="Rotate"/> calls the very primitives the
/// engine calls (<see cref="TokenCodec"/>, <see cref="TokenCrypto"/>, <see cref="FamilySeal"/>, with their per-thread
/// keyed hash objects); <see cref="RotateOneShot"/> computes the same four HMACs, byte for byte, through the static
/// one-shot <see cref="HMACSHA256.HashData(byte[], byte[])"/>, which keys a new context on every call.
/// </summary>
internal sealed class CpuLimit
{
    private const int MacInputSize = TokenCodec.MacInputSize;
    private const int ChainInputSize = FamilyId.Size + 4 + TokenCodec.SecretSize;

    private readonly ChainKey _key;
    private readonly FamilyRecord _family;
    private readonly long _issuedAt;
    private readonly byte[] _chainKey;
    private readonly byte[] _tokenKey;
    private readonly byte[] _sealKey;
    private readonly byte[] _sealInput;
    private string _token;
    private string _oneShotToken;

    /// <param name="key">The engine's key object (its sub-keys are what <see cref="Rotate"/> uses).</param>
    /// <param name="material">The same key's material, for the one-shot sub-keys.</param>
    public CpuLimit(ChainKey key, ReadOnlySpan<byte> material)
    {
        _key = key;
        var now = DateTimeOffset.FromUnixTimeMilliseconds(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds());
        _issuedAt = now.ToUnixTimeMilliseconds();
        var policy = EngineFixture.RollingPolicy;
        var id = FamilyId.New();
        var secret = default(SecretBuffer);
        TokenCrypto.FillRandom(secret);
        var digest = new byte[FamilyColumns.DigestSize];
        _token = TokenCrypto.Issue(key, id, 0, _issuedAt, secret, digest);
        _oneShotToken = _token;
        ((Span<byte>)secret).Clear();
        var family = new FamilyRecord
        {
            Id = id,
            Subject = EngineFixture.Subject,
            ClientId = EngineFixture.Rolling,
            KeyId = key.Id,
            CreatedAt = now,
            FamilyExpiresAt = now + policy.FamilyLifetime,
            TokenExpiresAt = now + policy.TokenLifetime,
            Generation = 0,
            Digest = digest,
            Ledger = "",
            Policy = PolicySnapshot.Of(policy),
            Seal = [],
        };
        _family = family with { Seal = FamilySeal.Compute(key, family) };

        _chainKey = SubKey(material, "chain");
        _tokenKey = SubKey(material, "token");
        _sealKey = SubKey(material, "seal");
        _sealInput = SealInput(_family);
        if (!Rotate() || !RotateOneShot() || !HMACSHA256.HashData(_sealKey, _sealInput).AsSpan(0, FamilyColumns.DigestSize).SequenceEqual(_family.Seal))
        {
            throw new InvalidOperationException("The CPU limit does not compute what the engine computes (did the token or seal layout change?).");
        }
    }

    /// <summary>One rotation's work through the engine's own primitives; the next token becomes the presented one.</summary>
    public bool Rotate()
    {
        if (!TokenCodec.TryParse(_token, out var parsed))
        {
            return false;
        }

        Span<byte> digest = stackalloc byte[FamilyColumns.DigestSize];
        Span<byte> nextDigest = stackalloc byte[FamilyColumns.DigestSize];
        var authentic = TokenCrypto.Verify(_key, parsed, digest);
        var next = default(SecretBuffer);
        var tag = default(TagBuffer);
        var generation = parsed.Generation + 1;
        TokenCrypto.DeriveChild(_key, parsed.FamilyId, generation, parsed.Secret, next);
        TokenCrypto.Mac(_key, parsed.FamilyId, generation, _issuedAt, next, tag, nextDigest);
        var sealedRecord = FamilySeal.Verify(_key, _family);
        _token = TokenCodec.Format(_key.Fingerprint, parsed.FamilyId, generation, _issuedAt, next, tag);
        ((Span<byte>)parsed.Secret).Clear();
        ((Span<byte>)next).Clear();
        return authentic && sealedRecord;
    }

    /// <summary>The same four HMACs through the one-shot APIs (parse and format as in <see cref="Rotate"/>).</summary>
    public bool RotateOneShot()
    {
        if (!TokenCodec.TryParse(_oneShotToken, out var parsed))
        {
            return false;
        }

        Span<byte> input = stackalloc byte[MacInputSize];
        Span<byte> output = stackalloc byte[32];
        TokenCodec.WriteMacInput(parsed.FamilyId, parsed.Generation, parsed.IssuedAt, parsed.Secret, input);
        HMACSHA256.HashData(_tokenKey, input, output);
        var authentic = CryptographicOperations.FixedTimeEquals(output[..TokenCodec.TagSize], parsed.Tag);

        var generation = parsed.Generation + 1;
        Span<byte> chainInput = stackalloc byte[ChainInputSize];
        parsed.FamilyId.WriteBytes(chainInput);
        BinaryPrimitives.WriteInt32BigEndian(chainInput[FamilyId.Size..], generation);
        ((ReadOnlySpan<byte>)parsed.Secret).CopyTo(chainInput[(FamilyId.Size + 4)..]);
        var next = default(SecretBuffer);
        HMACSHA256.HashData(_chainKey, chainInput, next);

        TokenCodec.WriteMacInput(parsed.FamilyId, generation, _issuedAt, next, input);
        HMACSHA256.HashData(_tokenKey, input, output);

        Span<byte> seal = stackalloc byte[32];
        HMACSHA256.HashData(_sealKey, _sealInput, seal);
        var sealedRecord = CryptographicOperations.FixedTimeEquals(seal[..FamilyColumns.DigestSize], _family.Seal);

        _oneShotToken = TokenCodec.Format(_key.Fingerprint, parsed.FamilyId, generation, _issuedAt, next, output[..TokenCodec.TagSize]);
        ((Span<byte>)parsed.Secret).Clear();
        ((Span<byte>)next).Clear();
        input.Clear();
        chainInput.Clear();
        output.Clear();
        return authentic && sealedRecord;
    }

    /// <summary>A sub-key as <see cref="ChainKey"/> derives it (HKDF-SHA-256, the v2 salt, the purpose's label).</summary>
    private static byte[] SubKey(ReadOnlySpan<byte> material, string label)
    {
        var key = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, material, key, "RotationEngine v2"u8, System.Text.Encoding.ASCII.GetBytes(label));
        return key;
    }

    /// <summary>The bytes <see cref="FamilySeal"/> MACs for <paramref name="family"/> (its documented encoding), once.</summary>
    private static byte[] SealInput(FamilyRecord family)
    {
        var policy = family.Policy;
        var bytes = new List<byte>();
        bytes.AddRange("RotationEngine.Seal.v2"u8.ToArray());
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
        bytes.AddRange(fixedPart.ToArray());
        Span<byte> length = stackalloc byte[4];
        foreach (var text in new[] { family.Subject, family.ClientId, family.Binding, family.Metadata, family.KeyId })
        {
            BinaryPrimitives.WriteInt32BigEndian(length, text?.Length ?? -1);
            bytes.AddRange(length.ToArray());
            if (text is not null)
            {
                bytes.AddRange(MemoryMarshal.AsBytes(text.AsSpan()).ToArray());
            }
        }

        return [.. bytes];
    }
}
