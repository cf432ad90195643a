namespace RotationEngine.AspNetCore.DPoP;

/// <summary>Configures DPoP proof validation (RFC 9449) at the token endpoint. Validated at start-up.</summary>
public sealed class DPoPOptions
{
    /// <summary>Every algorithm the validator can verify: ECDSA (P-256, P-384, P-521), RSASSA-PKCS1-v1_5 and RSASSA-PSS.
    /// Symmetric algorithms and <c>none</c> are never accepted (RFC 9449 §4.2: an asymmetric algorithm, not <c>none</c>
    /// nor a MAC).</summary>
    public static readonly IReadOnlyList<string> SupportedAlgorithms =
        ["ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];

    /// <summary>The algorithms accepted when <see cref="Algorithms"/> is empty.</summary>
    public static readonly IReadOnlyList<string> DefaultAlgorithms = ["ES256", "ES384", "ES512", "RS256", "PS256"];

    /// <summary>The accepted <c>alg</c> values, a subset of <see cref="SupportedAlgorithms"/>; empty (default) means
    /// <see cref="DefaultAlgorithms"/>: ES256, ES384, ES512, RS256, PS256.</summary>
    public IList<string> Algorithms { get; } = new List<string>();

    /// <summary>The algorithms the validator accepts: <see cref="Algorithms"/>, or <see cref="DefaultAlgorithms"/> when
    /// it is empty. Publish them as <c>dpop_signing_alg_values_supported</c> in the server's metadata (RFC 9449 §5.1),
    /// so that clients pick one the server takes.</summary>
    public IReadOnlyList<string> AcceptedAlgorithms => Algorithms.Count == 0 ? DefaultAlgorithms : Algorithms.ToArray();

    /// <summary>The largest <c>DPoP</c> header accepted, in characters; a longer one is refused before any decoding.
    /// Default 8,192 (an ES256 proof is about 500, an RS256 one with a 4096-bit key about 1,700); 512 to 65,536.</summary>
    public int MaxProofLength { get; set; } = 8192;

    /// <summary>How old a proof's <c>iat</c> may be. Default 60 seconds; 1 second to 1 hour. Replayed proofs are
    /// remembered this long (plus <see cref="ClockSkew"/>).</summary>
    public TimeSpan ProofLifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How far in the future a proof's <c>iat</c> may be (the client's clock running ahead). Default 5
    /// seconds; 0 to 5 minutes. Clients with unreliable clocks are better served by <see cref="RequireNonce"/>.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The server's public origin (<c>https://auth.example.com</c>, or with a path base
    /// <c>https://example.com/auth</c>) used as the expected <c>htu</c> instead of the request's scheme and
    /// <c>Host</c>: set it behind a reverse proxy or TLS terminator. Null (default) trusts the request.</summary>
    public string? PublicOrigin { get; set; }

    /// <summary>Whether every proof must carry a server nonce (RFC 9449 §8): a proof without the current one is
    /// answered <c>use_dpop_nonce</c> with a fresh <c>DPoP-Nonce</c> header, and every answer carries the current
    /// nonce. Nonces bound the lifetime of proofs made ahead of time (a client's clock cannot stretch it). Default false.</summary>
    public bool RequireNonce { get; set; }

    /// <summary>How long a nonce is current; the previous one is accepted too, so a nonce lives one to two of these.
    /// Default 5 minutes; 10 seconds to 1 day.</summary>
    public TimeSpan NonceLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The base64 HMAC key (at least 32 bytes) nonces are made with: nonces are stateless, an HMAC of the
    /// time bucket. Give every instance of a deployment the same key; null (default) draws a random one per process,
    /// so that a nonce from one instance is refused by another (one extra round trip).</summary>
    public string? NonceKey { get; set; }

    /// <summary>The longest accepted <c>jti</c>, in characters. 256.</summary>
    public const int MaxJtiLength = 256;
}
