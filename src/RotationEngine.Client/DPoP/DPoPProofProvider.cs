using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RotationEngine.Client.DPoP;

/// <summary>
/// DPoP proofs (RFC 9449 §4) from an ECDSA P-256 key the client holds: a fresh ES256 proof for every request (a new
/// random <c>jti</c>, <c>htm</c>, <c>htu</c> without query and fragment, <c>iat</c> from the
/// <see cref="TimeProvider"/>, the server's latest nonce, and <c>ath</c> for API requests). Set it as
/// <see cref="TokenSessionOptions.ProofProvider"/>; the session retries a refresh once when the server answers
/// <c>use_dpop_nonce</c>. Keep the key for the whole session: the refresh tokens are bound to it, so a new key means a
/// new sign-in. Persist it only where the platform protects keys (a key store, DPAPI, the Keychain).
/// </summary>
public sealed class DPoPProofProvider : IRequestProofProvider, IDisposable
{
    private readonly ECDsa _key;
    private readonly bool _ownsKey;
    private readonly TimeProvider _time;
    private readonly byte[] _header;

    /// <summary>Creates a provider with a new P-256 key (owned and disposed by the provider).</summary>
    /// <param name="timeProvider">The clock of <c>iat</c>; default the system clock.</param>
    public DPoPProofProvider(TimeProvider? timeProvider = null)
        : this(ECDsa.Create(ECCurve.NamedCurves.nistP256), ownsKey: true, timeProvider)
    {
    }

    /// <summary>Creates a provider with the given P-256 key (not disposed by the provider).</summary>
    /// <param name="key">An ECDSA key on P-256 with its private part.</param>
    /// <param name="timeProvider">The clock of <c>iat</c>; default the system clock.</param>
    public DPoPProofProvider(ECDsa key, TimeProvider? timeProvider = null)
        : this(key, ownsKey: false, timeProvider)
    {
    }

    private DPoPProofProvider(ECDsa key, bool ownsKey, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parameters = key.ExportParameters(includePrivateParameters: false);
        if (parameters.Curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            throw new ArgumentException("The DPoP key must be on P-256 (ES256).", nameof(key));
        }

        _key = key;
        _ownsKey = ownsKey;
        _time = timeProvider ?? TimeProvider.System;
        var x = Base64Url.EncodeToString(parameters.Q.X);
        var y = Base64Url.EncodeToString(parameters.Q.Y);
        Thumbprint = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes($"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{x}\",\"y\":\"{y}\"}}")));
        _header = Encoding.UTF8.GetBytes($"{{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":{{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"{x}\",\"y\":\"{y}\"}}}}");
    }

    /// <summary>The key's RFC 7638 SHA-256 thumbprint (base64url): the binding the server records.</summary>
    public string Thumbprint { get; }

    /// <inheritdoc />
    public ValueTask<string?> CreateProofAsync(ProofRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<string?>(CreateProof(request.Method, request.Uri, request.Nonce, request.AccessToken));

    /// <summary>A proof for one request.</summary>
    /// <param name="method">The request's method.</param>
    /// <param name="uri">The request's absolute URI (query and fragment are left out of <c>htu</c>).</param>
    /// <param name="nonce">The server's nonce, or null.</param>
    /// <param name="accessToken">The access token the request carries (for <c>ath</c>), or null.</param>
    public string CreateProof(HttpMethod method, Uri uri, string? nonce = null, string? accessToken = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(uri);
        using var payload = new MemoryStream();
        using (var writer = new Utf8JsonWriter(payload))
        {
            writer.WriteStartObject();
            writer.WriteString("jti", Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)));
            writer.WriteString("htm", method.Method);
            writer.WriteString("htu", uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped));
            writer.WriteNumber("iat", _time.GetUtcNow().ToUnixTimeSeconds());
            if (!string.IsNullOrEmpty(nonce))
            {
                writer.WriteString("nonce", nonce);
            }

            if (!string.IsNullOrEmpty(accessToken))
            {
                writer.WriteString("ath", Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken))));
            }

            writer.WriteEndObject();
        }

        var input = Base64Url.EncodeToString(_header) + "." + Base64Url.EncodeToString(payload.ToArray());
        var signature = _key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return input + "." + Base64Url.EncodeToString(signature);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsKey)
        {
            _key.Dispose();
        }
    }
}
