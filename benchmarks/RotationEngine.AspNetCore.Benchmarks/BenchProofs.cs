using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using RotationEngine.Client.DPoP;

namespace RotationEngine.AspNetCore.Benchmarks;

/// <summary>
/// The benchmarks' DPoP clients: ES256 proofs from the shipped client (<see cref="DPoPProofProvider"/>) and RS256 proofs
/// from a 2048-bit RSA key (the shipped client makes ES256 only; RS256 is what many existing clients send).
/// </summary>
internal sealed class BenchProofs : IDisposable
{
    private readonly DPoPProofProvider? _es256;
    private readonly RSA? _rsa;
    private readonly string _rsaHeader = "";

    private BenchProofs(DPoPProofProvider? es256, RSA? rsa)
    {
        _es256 = es256;
        _rsa = rsa;
        if (rsa is null)
        {
            Thumbprint = es256!.Thumbprint;
            return;
        }

        var p = rsa.ExportParameters(includePrivateParameters: false);
        var n = Base64Url.EncodeToString(p.Modulus);
        var e = Base64Url.EncodeToString(p.Exponent);
        Thumbprint = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes($"{{\"e\":\"{e}\",\"kty\":\"RSA\",\"n\":\"{n}\"}}")));
        _rsaHeader = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{{\"typ\":\"dpop+jwt\",\"alg\":\"RS256\",\"jwk\":{{\"kty\":\"RSA\",\"n\":\"{n}\",\"e\":\"{e}\"}}}}"));
    }

    /// <summary>The key's RFC 7638 thumbprint: the binding of the families this client signs in.</summary>
    public string Thumbprint { get; }

    public static BenchProofs Es256(TimeProvider time) => new(new DPoPProofProvider(time), null);

    public static BenchProofs Rs256() => new(null, RSA.Create(2048));

    /// <summary>A fresh proof (new <c>jti</c>) for a POST to <paramref name="uri"/> at <paramref name="iat"/>.</summary>
    public string Proof(Uri uri, DateTimeOffset iat)
    {
        if (_es256 is not null)
        {
            return _es256.CreateProof(HttpMethod.Post, uri);
        }

        var payload = $"{{\"jti\":\"{Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16))}\",\"htm\":\"POST\",\"htu\":\"{uri.GetLeftPart(UriPartial.Path)}\",\"iat\":{iat.ToUnixTimeSeconds()}}}";
        var input = _rsaHeader + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload));
        var signature = _rsa!.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return input + "." + Base64Url.EncodeToString(signature);
    }

    public void Dispose()
    {
        _es256?.Dispose();
        _rsa?.Dispose();
    }
}
