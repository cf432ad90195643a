using System.Buffers.Binary;
using System.Security.Cryptography;
using RotationEngine.Internal;

namespace RotationEngine.Benchmarks.Infrastructure;

/// <summary>
/// The bare cryptography of one rotation, with no engine around it: SHA-256 of the presented secret (to compare
/// with the stored digest), the keyed child derivation HMAC-SHA-256(key, "RE1" | family | generation | parent)
/// and SHA-256 of the child (the digest to store). <see cref="Rotate"/> uses the fastest way .NET offers (hash
/// objects keyed once and reused); <see cref="RotateOneShot"/> uses the static one-shot APIs, which set the
/// key up on every call.
/// </summary>
internal sealed class CpuLimit : IDisposable
{
    private const int InputSize = 3 + FamilyId.Size + 4 + TokenCodec.SecretSize;
    private readonly byte[] _key;
    private readonly IncrementalHash _hmac;
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _familyId = new byte[FamilyId.Size];
    private readonly byte[] _secret = new byte[TokenCodec.SecretSize];
    private readonly byte[] _expectedDigest = new byte[HashChain.DigestSize];
    private int _generation;

    public CpuLimit(ReadOnlySpan<byte> key)
    {
        _key = key.ToArray();
        _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        RandomNumberGenerator.Fill(_familyId);
        RandomNumberGenerator.Fill(_secret);
    }

    /// <summary>One rotation's cryptography with reused, pre-keyed hash objects; the child becomes the parent.</summary>
    public bool Rotate()
    {
        Span<byte> presentedDigest = stackalloc byte[HashChain.DigestSize];
        _sha256.AppendData(_secret);
        _sha256.GetHashAndReset(presentedDigest);
        var matches = CryptographicOperations.FixedTimeEquals(presentedDigest, _expectedDigest);

        Span<byte> input = stackalloc byte[InputSize];
        WriteInput(input);
        _hmac.AppendData(input);
        _hmac.GetHashAndReset(_secret);

        _sha256.AppendData(_secret);
        _sha256.GetHashAndReset(_expectedDigest);
        return matches;
    }

    /// <summary>The same cryptography through the static one-shot APIs.</summary>
    public bool RotateOneShot()
    {
        Span<byte> presentedDigest = stackalloc byte[HashChain.DigestSize];
        SHA256.HashData(_secret, presentedDigest);
        var matches = CryptographicOperations.FixedTimeEquals(presentedDigest, _expectedDigest);

        Span<byte> input = stackalloc byte[InputSize];
        WriteInput(input);
        HMACSHA256.HashData(_key, input, _secret);
        SHA256.HashData(_secret, _expectedDigest);
        return matches;
    }

    public void Dispose()
    {
        _hmac.Dispose();
        _sha256.Dispose();
    }

    private void WriteInput(Span<byte> input)
    {
        "RE1"u8.CopyTo(input);
        _familyId.CopyTo(input[3..]);
        BinaryPrimitives.WriteInt32BigEndian(input[(3 + FamilyId.Size)..], ++_generation);
        _secret.CopyTo(input[(3 + FamilyId.Size + 4)..]);
    }
}
