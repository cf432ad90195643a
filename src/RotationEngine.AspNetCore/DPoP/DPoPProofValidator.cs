using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using RotationEngine.DPoP;

namespace RotationEngine.AspNetCore.DPoP;

/// <summary>
/// Validates the <c>DPoP</c> header of a request (RFC 9449 §4.3): one header, at most
/// <see cref="DPoPOptions.MaxProofLength"/> characters, a compact JWS whose header has <c>typ</c> <c>dpop+jwt</c>, an
/// allowed asymmetric <c>alg</c> and a public <c>jwk</c> (no private members; EC on the algorithm's curve, RSA of 2048
/// to 8192 bits), claims <c>htm</c> and <c>htu</c> matching the request, <c>iat</c> within the window, a <c>jti</c>
/// never accepted before (<see cref="IDPoPReplayCache"/>), the server nonce when required, and finally the signature.
/// Cheap checks come first: <c>none</c>, HS256 and malformed proofs are refused before any cryptography, and the replay
/// cache is written only for a proof whose signature verified.
/// </summary>
public sealed class DPoPProofValidator
{
    private const string HeaderName = "DPoP";
    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 4, AllowDuplicateProperties = false };
    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    private readonly DPoPOptions _options;
    private readonly IDPoPReplayCache _replays;
    private readonly TimeProvider _time;
    private readonly HashSet<string> _algorithms;
    private readonly Uri? _publicOrigin;

    /// <summary>Creates the validator.</summary>
    public DPoPProofValidator(IOptions<DPoPOptions> options, IDPoPReplayCache replays, DPoPNonces nonces, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _replays = replays;
        Nonces = nonces;
        _time = time;
        _algorithms = new HashSet<string>(_options.AcceptedAlgorithms, StringComparer.Ordinal);
        _publicOrigin = _options.PublicOrigin is { } origin ? new Uri(origin.TrimEnd('/'), UriKind.Absolute) : null;
        AlgorithmsChallenge = string.Join(' ', _options.AcceptedAlgorithms);
    }

    /// <summary>The accepted algorithms, space-separated (the <c>algs</c> of a <c>WWW-Authenticate: DPoP</c> challenge).</summary>
    public string AlgorithmsChallenge { get; }

    /// <summary>The server nonces.</summary>
    public DPoPNonces Nonces { get; }

    /// <summary>Validates the request's <c>DPoP</c> header. Never throws for bad input.</summary>
    /// <param name="request">The request (its method and URI are what the proof must name).</param>
    /// <param name="cancellationToken">Cancels the replay-cache call.</param>
    /// <exception cref="Storage.RotationStoreException">The replay cache cannot answer.</exception>
    public async ValueTask<DPoPProofResult> ValidateAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var values = request.Headers[HeaderName];
        if (values.Count == 0)
        {
            return DPoPProofResult.Absent;
        }

        if (values.Count > 1)
        {
            return DPoPProofResult.Invalid("More than one DPoP header (RFC 9449 section 4.3 allows exactly one).");
        }

        var proof = values[0];
        if (string.IsNullOrEmpty(proof) || proof.Length > _options.MaxProofLength)
        {
            return DPoPProofResult.Invalid($"The DPoP proof is empty or longer than {_options.MaxProofLength} characters.");
        }

        var check = Check(proof, request, out var thumbprint, out var jti, out var iat);
        if (check is { } failure)
        {
            return failure;
        }

        var now = _time.GetUtcNow();
        var expires = iat + _options.ProofLifetime;
        if (!await _replays.TryAddAsync(ProofKey(thumbprint!, jti!), now, expires, cancellationToken).ConfigureAwait(false))
        {
            return DPoPProofResult.Invalid("The DPoP proof was used before (its jti was seen); make a fresh proof for every request.");
        }

        return DPoPProofResult.Valid(thumbprint!);
    }

    /// <summary>Every check but the replay cache, in the order of their cost.</summary>
    private DPoPProofResult? Check(string proof, HttpRequest request, out string? thumbprint, out string? jti, out DateTimeOffset iat)
    {
        thumbprint = null;
        jti = null;
        iat = default;
        var first = proof.IndexOf('.', StringComparison.Ordinal);
        var second = first < 0 ? -1 : proof.IndexOf('.', first + 1);
        if (first <= 0 || second <= first + 1 || second == proof.Length - 1 || proof.IndexOf('.', second + 1) >= 0)
        {
            return DPoPProofResult.Invalid("The DPoP proof is not a compact JWS (three non-empty base64url parts).");
        }

        using var header = ParseJson(proof.AsSpan(0, first));
        if (header is null)
        {
            return DPoPProofResult.Invalid("The DPoP proof's header is not a base64url JSON object.");
        }

        var h = header.RootElement;
        if (GetString(h, "typ") != "dpop+jwt")
        {
            return DPoPProofResult.Invalid("The DPoP proof's typ must be dpop+jwt.");
        }

        var alg = GetString(h, "alg");
        if (alg is null || !_algorithms.Contains(alg))
        {
            return DPoPProofResult.Invalid($"The DPoP proof's alg is not one of: {AlgorithmsChallenge}.");
        }

        if (h.TryGetProperty("crit", out _))
        {
            return DPoPProofResult.Invalid("The DPoP proof's header has crit extensions this server does not support.");
        }

        if (!h.TryGetProperty("jwk", out var jwk) || jwk.ValueKind != JsonValueKind.Object)
        {
            return DPoPProofResult.Invalid("The DPoP proof's header has no jwk object.");
        }

        foreach (var member in PrivateMembers)
        {
            if (jwk.TryGetProperty(member, out _))
            {
                return DPoPProofResult.Invalid("The DPoP proof's jwk holds private key material; send the public key only.");
            }
        }

        var key = ProofKeys.Read(jwk, alg, out var keyError);
        if (key is null)
        {
            return DPoPProofResult.Invalid(keyError!);
        }

        // The key is cached (KeyCache) and shared: not disposed here.
        {
            using var payload = ParseJson(proof.AsSpan(first + 1, second - first - 1));
            if (payload is null)
            {
                return DPoPProofResult.Invalid("The DPoP proof's payload is not a base64url JSON object.");
            }

            var claims = payload.RootElement;
            if (GetString(claims, "htm") is not { } htm || !string.Equals(htm, request.Method, StringComparison.Ordinal))
            {
                return DPoPProofResult.Invalid("The DPoP proof's htm does not match the request's method.");
            }

            if (GetString(claims, "htu") is not { } htu || NormalizeUri(htu) is not { } presented || !string.Equals(presented, ExpectedUri(request), StringComparison.Ordinal))
            {
                return DPoPProofResult.Invalid("The DPoP proof's htu does not match the request's URI (scheme, host, port and path; no query or fragment).");
            }

            if (!claims.TryGetProperty("iat", out var iatElement) || iatElement.ValueKind != JsonValueKind.Number || !iatElement.TryGetDouble(out var iatSeconds)
                || !double.IsFinite(iatSeconds) || iatSeconds < 0 || iatSeconds > 253402300799)
            {
                return DPoPProofResult.Invalid("The DPoP proof's iat is missing or not a NumericDate.");
            }

            var now = _time.GetUtcNow();
            iat = DateTimeOffset.FromUnixTimeMilliseconds((long)(iatSeconds * 1000));
            // A proof lives strictly less than ProofLifetime: its replay-cache entry expires at iat + ProofLifetime, so a
            // proof exactly ProofLifetime old would find its entry expired and be accepted a second time.
            if (iat <= now - _options.ProofLifetime || iat > now + _options.ClockSkew)
            {
                return DPoPProofResult.Invalid("The DPoP proof's iat is outside the accepted window; check the client's clock and make a fresh proof.");
            }

            jti = GetString(claims, "jti");
            if (jti is not { Length: > 0 and <= DPoPOptions.MaxJtiLength })
            {
                return DPoPProofResult.Invalid($"The DPoP proof's jti is missing or longer than {DPoPOptions.MaxJtiLength} characters.");
            }

            if (_options.RequireNonce)
            {
                var nonce = GetString(claims, "nonce");
                if (nonce is null || !Nonces.IsValid(nonce, now))
                {
                    return DPoPProofResult.NonceNeeded(nonce is null ? "The server requires a nonce in the DPoP proof; use the DPoP-Nonce header's value." : "The DPoP proof's nonce is not current; use the DPoP-Nonce header's value.");
                }
            }

            if (!key.Verify(proof.AsSpan(0, second), proof.AsSpan(second + 1)))
            {
                return DPoPProofResult.Invalid("The DPoP proof's signature does not verify with its jwk.");
            }

            thumbprint = key.Thumbprint;
            return null;
        }
    }

    /// <summary>The request's URI as a proof's <c>htu</c> must name it, normalised (RFC 9449 §4.3, RFC 3986 §6).</summary>
    internal string ExpectedUri(HttpRequest request)
    {
        var path = (request.PathBase + request.Path).ToUriComponent();
        var origin = _publicOrigin is { } configured
            ? configured.GetLeftPart(UriPartial.Path).TrimEnd('/')
            : request.Scheme + "://" + request.Host.ToUriComponent();
        return NormalizeUri(origin + path) ?? "";
    }

    /// <summary>Scheme and host lower-case, default port dropped, dot segments resolved, query and fragment removed;
    /// null for anything but an absolute http(s) URI.</summary>
    internal static string? NormalizeUri(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || uri.UserInfo.Length > 0)
        {
            return null;
        }

        return uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
    }

    private static JsonDocument? ParseJson(ReadOnlySpan<char> base64Url)
    {
        if (ProofKeys.Decode(base64Url) is not { } buffer)
        {
            return null;
        }

        try
        {
            var document = JsonDocument.Parse(buffer, JsonOptions);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A 128-bit digest of the key thumbprint and the jti: the replay cache's key, bounded whatever the jti,
    /// and per key, so that nobody can use up another key's jti values.</summary>
    internal static UInt128 ProofKey(string thumbprint, string jti)
    {
        var input = Encoding.UTF8.GetBytes(thumbprint + "\0" + jti);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, digest);
        return BinaryPrimitives.ReadUInt128BigEndian(digest);
    }
}
