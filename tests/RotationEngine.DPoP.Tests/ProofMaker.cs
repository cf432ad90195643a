using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace RotationEngine.DPoP.Tests;

/// <summary>A client's DPoP key (real ECDsa or RSA keys) and the proofs it makes, with knobs to make them wrong.</summary>
public sealed class ProofMaker : IDisposable
{
    private readonly ECDsa? _ec;
    private readonly RSA? _rsa;

    private ProofMaker(string alg, ECDsa? ec, RSA? rsa)
    {
        Alg = alg;
        _ec = ec;
        _rsa = rsa;
    }

    public string Alg { get; }

    public static ProofMaker Es256() => new("ES256", ECDsa.Create(ECCurve.NamedCurves.nistP256), null);

    public static ProofMaker Es384() => new("ES384", ECDsa.Create(ECCurve.NamedCurves.nistP384), null);

    public static ProofMaker Rs256(int bits = 2048) => new("RS256", null, RSA.Create(bits));

    public static ProofMaker Ps256() => new("PS256", null, RSA.Create(2048));

    /// <summary>The public JWK as the header carries it.</summary>
    public JsonObject PublicJwk(bool withPrivate = false)
    {
        if (_ec is not null)
        {
            var p = _ec.ExportParameters(withPrivate);
            var crv = Alg switch { "ES256" => "P-256", "ES384" => "P-384", _ => "P-521" };
            var jwk = new JsonObject { ["kty"] = "EC", ["crv"] = crv, ["x"] = B64(p.Q.X!), ["y"] = B64(p.Q.Y!) };
            if (withPrivate)
            {
                jwk["d"] = B64(p.D!);
            }

            return jwk;
        }

        var r = _rsa!.ExportParameters(withPrivate);
        var rsa = new JsonObject { ["kty"] = "RSA", ["n"] = B64(r.Modulus!), ["e"] = B64(r.Exponent!) };
        if (withPrivate)
        {
            rsa["d"] = B64(r.D!);
            rsa["p"] = B64(r.P!);
            rsa["q"] = B64(r.Q!);
        }

        return rsa;
    }

    /// <summary>The RFC 7638 thumbprint as Microsoft.IdentityModel computes it (the independent reference).</summary>
    public string Thumbprint()
    {
        JsonWebKey jwk = _ec is not null
            ? JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(_ec))
            : JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_rsa!.ExportParameters(false)));
        return Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint());
    }

    /// <summary>A proof for <paramref name="htu"/>; every part can be overridden to make it wrong.</summary>
    public string Proof(string htu, DateTimeOffset iat, string htm = "POST", string? jti = null, string? nonce = null,
        Action<JsonObject>? header = null, Action<JsonObject>? payload = null, bool badSignature = false)
    {
        var h = new JsonObject { ["typ"] = "dpop+jwt", ["alg"] = Alg, ["jwk"] = PublicJwk() };
        header?.Invoke(h);
        var p = new JsonObject { ["jti"] = jti ?? Guid.NewGuid().ToString("N"), ["htm"] = htm, ["htu"] = htu, ["iat"] = iat.ToUnixTimeSeconds() };
        if (nonce is not null)
        {
            p["nonce"] = nonce;
        }

        payload?.Invoke(p);
        var input = B64(Encoding.UTF8.GetBytes(h.ToJsonString())) + "." + B64(Encoding.UTF8.GetBytes(p.ToJsonString()));
        var signature = Sign(Encoding.ASCII.GetBytes(input));
        if (badSignature)
        {
            signature[0] ^= 1;
        }

        return input + "." + B64(signature);
    }

    public byte[] Sign(byte[] input) => _ec is not null
        ? _ec.SignData(input, Alg == "ES256" ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA384)
        : _rsa!.SignData(input, HashAlgorithmName.SHA256, Alg == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1);

    public static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);

    public static string B64(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    public void Dispose()
    {
        _ec?.Dispose();
        _rsa?.Dispose();
    }
}
