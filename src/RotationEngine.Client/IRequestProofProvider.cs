namespace RotationEngine.Client;

/// <summary>What a request needs a proof of possession for (RFC 9449 DPoP: a proof per request, bound to its method and URI).</summary>
/// <param name="Kind">Whether this is an API request or the refresh request to the token endpoint.</param>
/// <param name="Method">The request's HTTP method (the proof's <c>htm</c>).</param>
/// <param name="Uri">The request's URI (the proof's <c>htu</c>, without query and fragment).</param>
/// <param name="AccessToken">The access token sent with an API request (the proof's <c>ath</c> is its hash); <see langword="null"/> for a token request.</param>
/// <param name="Nonce">The latest <c>DPoP-Nonce</c> the server sent, if any.</param>
public readonly record struct ProofRequest(ProofRequestKind Kind, HttpMethod Method, Uri Uri, string? AccessToken, string? Nonce);

/// <summary>The two kinds of request a <see cref="TokenSession"/> sends or decorates.</summary>
public enum ProofRequestKind
{
    /// <summary>A request to a resource server carrying the access token.</summary>
    Api,

    /// <summary>The refresh-token grant sent to the token endpoint.</summary>
    TokenRefresh,
}

/// <summary>
/// The extension point for proof-of-possession (DPoP, RFC 9449): called once per outgoing request, including every
/// retry, so each attempt carries a fresh proof. A non-null proof is sent as the <c>DPoP</c> header, and an API request's
/// access token then goes as <c>Authorization: DPoP …</c> instead of <c>Bearer</c>. Without a provider no proof is sent.
/// </summary>
public interface IRequestProofProvider
{
    /// <summary>Returns the proof for <paramref name="request"/>, or <see langword="null"/> to send none.</summary>
    ValueTask<string?> CreateProofAsync(ProofRequest request, CancellationToken cancellationToken);
}
