using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RotationEngine.AspNetCore.DPoP;

/// <summary>A proof's public key read from its <c>jwk</c> header, able to verify the proof and name its RFC 7638 thumbprint.</summary>
internal abstract class ProofKey : IDisposable
{
    protected ProofKey(string canonicalJwk) =>
        Thumbprint = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalJwk)));

    /// <summary>The RFC 7638 SHA-256 JWK thumbprint, base64url without padding.</summary>
    public string Thumbprint { get; }

    /// <summary>Verifies <paramref name="signature"/> (base64url) over the ASCII <paramref name="signingInput"/>.</summary>
    public bool Verify(ReadOnlySpan<char> signingInput, ReadOnlySpan<char> signature)
    {
        if (ProofKeys.Decode(signature) is not { } sig)
        {
            return false;
        }

        var input = new byte[signingInput.Length];
        for (var i = 0; i < signingInput.Length; i++)
        {
            input[i] = (byte)signingInput[i];
        }

        try
        {
            // Cached keys are shared by concurrent requests of one client: one verification at a time per key.
            lock (this)
            {
                return Verify(input, sig);
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    protected abstract bool Verify(ReadOnlySpan<byte> input, ReadOnlySpan<byte> signature);

    public abstract void Dispose();
}

/// <summary>
/// The imported keys of recent proofs, by algorithm and canonical JWK: importing a public key costs more than verifying
/// with it (about a millisecond on this machine), and a client signs every proof with the same key. At most
/// <see cref="Capacity"/> keys; when full the cache is emptied (an attacker cycling keys pays the imports itself).
/// Only keys that imported successfully (point on the curve, valid RSA parameters) are cached.
/// </summary>
internal static class KeyCache
{
    public const int Capacity = 4096;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ProofKey> Keys = new(StringComparer.Ordinal);

    public static ProofKey GetOrAdd(string alg, string canonicalJwk, Func<ProofKey> import)
    {
        var id = alg + canonicalJwk;
        if (Keys.TryGetValue(id, out var key))
        {
            return key;
        }

        if (Keys.Count >= Capacity)
        {
            Keys.Clear();
        }

        return Keys.GetOrAdd(id, import());
    }
}

/// <summary>Reads <c>jwk</c> headers.</summary>
internal static class ProofKeys
{
    /// <summary>The key of <paramref name="jwk"/> for <paramref name="alg"/>, or null with the reason.</summary>
    public static ProofKey? Read(JsonElement jwk, string alg, out string? error)
    {
        var kty = Text(jwk, "kty");
        try
        {
            switch (alg[0])
            {
                case 'E' when kty == "EC":
                    return EcKey.Read(jwk, alg, out error);
                case 'R' or 'P' when kty == "RSA":
                    return RsaKey.Read(jwk, alg, out error);
                default:
                    error = "The DPoP proof's jwk kty does not fit its alg (EC for ES*, RSA for RS* and PS*).";
                    return null;
            }
        }
        catch (CryptographicException)
        {
            error = "The DPoP proof's jwk is not a valid public key.";
            return null;
        }
    }

    internal static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    internal static byte[]? Bytes(JsonElement element, string name, int maxLength)
    {
        if (Text(element, name) is not { } text || text.Length == 0 || text.Length > Base64Url.GetEncodedLength(maxLength))
        {
            return null;
        }

        return Decode(text);
    }

    /// <summary>Strict base64url decoding; null (never an exception) for anything else.</summary>
    internal static byte[]? Decode(ReadOnlySpan<char> text)
    {
        if (!Base64Url.IsValid(text))
        {
            return null;
        }

        var bytes = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
        try
        {
            return Base64Url.TryDecodeFromChars(text, bytes, out var written) ? bytes.AsSpan(0, written).ToArray() : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    internal static HashAlgorithmName Hash(string alg) => alg[2..] switch
    {
        "256" => HashAlgorithmName.SHA256,
        "384" => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };
}

internal sealed class EcKey : ProofKey
{
    private readonly ECDsa _key;
    private readonly HashAlgorithmName _hash;
    private readonly int _fieldSize;

    private EcKey(ECDsa key, HashAlgorithmName hash, int fieldSize, string canonicalJwk)
        : base(canonicalJwk)
    {
        _key = key;
        _hash = hash;
        _fieldSize = fieldSize;
    }

    public static EcKey? Read(JsonElement jwk, string alg, out string? error)
    {
        var (crv, curve, size) = alg switch
        {
            "ES256" => ("P-256", ECCurve.NamedCurves.nistP256, 32),
            "ES384" => ("P-384", ECCurve.NamedCurves.nistP384, 48),
            _ => ("P-521", ECCurve.NamedCurves.nistP521, 66),
        };
        if (ProofKeys.Text(jwk, "crv") != crv)
        {
            error = $"The DPoP proof's jwk must be on curve {crv} for {alg}.";
            return null;
        }

        var x = ProofKeys.Bytes(jwk, "x", size);
        var y = ProofKeys.Bytes(jwk, "y", size);
        if (x?.Length != size || y?.Length != size)
        {
            error = $"The DPoP proof's jwk x and y must be {size}-byte base64url coordinates.";
            return null;
        }

        var canonical = $"{{\"crv\":\"{crv}\",\"kty\":\"EC\",\"x\":\"{Base64Url.EncodeToString(x)}\",\"y\":\"{Base64Url.EncodeToString(y)}\"}}";
        error = null;

        // ImportParameters checks that the point is on the curve (and throws if not: nothing is cached).
        return (EcKey)KeyCache.GetOrAdd(alg, canonical, () =>
            new EcKey(ECDsa.Create(new ECParameters { Curve = curve, Q = new ECPoint { X = x, Y = y } }), ProofKeys.Hash(alg), size, canonical));
    }

    protected override bool Verify(ReadOnlySpan<byte> input, ReadOnlySpan<byte> signature) =>
        signature.Length == 2 * _fieldSize && _key.VerifyData(input, signature, _hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public override void Dispose() => _key.Dispose();
}

internal sealed class RsaKey : ProofKey
{
    private const int MinModulusBytes = 256;
    private const int MaxModulusBytes = 1024;

    private readonly RSA _key;
    private readonly HashAlgorithmName _hash;
    private readonly RSASignaturePadding _padding;
    private readonly int _modulusSize;

    private RsaKey(RSA key, HashAlgorithmName hash, RSASignaturePadding padding, int modulusSize, string canonicalJwk)
        : base(canonicalJwk)
    {
        _key = key;
        _hash = hash;
        _padding = padding;
        _modulusSize = modulusSize;
    }

    public static RsaKey? Read(JsonElement jwk, string alg, out string? error)
    {
        var n = ProofKeys.Bytes(jwk, "n", MaxModulusBytes);
        var e = ProofKeys.Bytes(jwk, "e", 4);
        if (n is null || n.Length < MinModulusBytes || n[0] == 0)
        {
            error = "The DPoP proof's jwk must be an RSA key of 2048 to 8192 bits (n without leading zeros).";
            return null;
        }

        if (e is null || e[0] == 0 || (e[^1] & 1) == 0 || (e.Length == 1 && e[0] < 3))
        {
            error = "The DPoP proof's jwk has an invalid RSA exponent.";
            return null;
        }

        var canonical = $"{{\"e\":\"{Base64Url.EncodeToString(e)}\",\"kty\":\"RSA\",\"n\":\"{Base64Url.EncodeToString(n)}\"}}";
        error = null;
        return (RsaKey)KeyCache.GetOrAdd(alg, canonical, () =>
            new RsaKey(RSA.Create(new RSAParameters { Modulus = n, Exponent = e }), ProofKeys.Hash(alg), alg[0] == 'P' ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1, n.Length, canonical));
    }

    protected override bool Verify(ReadOnlySpan<byte> input, ReadOnlySpan<byte> signature) =>
        signature.Length == _modulusSize && _key.VerifyData(input, signature, _hash, _padding);

    public override void Dispose() => _key.Dispose();
}
