using System.Net;
using System.Net.Http.Headers;

namespace RotationEngine.Client;

/// <summary>
/// A <see cref="DelegatingHandler"/> that sends every request with the session's access token, refreshes it through
/// the <see cref="TokenSession"/> when it expires or an API answers 401 (once for all concurrent requests), and resends
/// the request once with the new token. A second 401 is returned as is (no loop).
/// </summary>
/// <remarks>
/// The resend reuses the request: content that can be serialized twice (string, bytes, form, JSON) works; a one-shot
/// stream does not. When the refresh ends the session the request fails with <see cref="SignedOutException"/>.
/// With an <see cref="IRequestProofProvider"/> each attempt carries a fresh proof in the <c>DPoP</c> header.
/// </remarks>
public sealed class RotatingTokenHandler : DelegatingHandler
{
    private readonly TokenSession _session;

    /// <summary>Creates the handler; set <see cref="DelegatingHandler.InnerHandler"/> (or use it from IHttpClientFactory).</summary>
    public RotatingTokenHandler(TokenSession session) => _session = session ?? throw new ArgumentNullException(nameof(session));

    /// <summary>Creates the handler over <paramref name="innerHandler"/>.</summary>
    public RotatingTokenHandler(TokenSession session, HttpMessageHandler innerHandler) : base(innerHandler) =>
        _session = session ?? throw new ArgumentNullException(nameof(session));

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        TokenSet tokens = await _session.GetTokensAsync(cancellationToken).ConfigureAwait(false);
        HttpResponseMessage response = await SendWithAsync(request, tokens, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        TokenSet refreshed = await _session.RefreshAsync(tokens, cancellationToken).ConfigureAwait(false);
        response.Dispose();
        return await SendWithAsync(request, refreshed, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendWithAsync(HttpRequestMessage request, TokenSet tokens, CancellationToken cancellationToken)
    {
        request.Headers.Remove("DPoP");
        string? proof = null;
        if (_session.ProofProvider is { } proofs && request.RequestUri is { } uri)
        {
            proof = await proofs.CreateProofAsync(
                new ProofRequest(ProofRequestKind.Api, request.Method, uri, tokens.AccessToken, _session.Nonce), cancellationToken).ConfigureAwait(false);
        }

        if (proof is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("DPoP", tokens.AccessToken);
            request.Headers.TryAddWithoutValidation("DPoP", proof);
        }
        else
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(
                string.Equals(tokens.AccessTokenType, "DPoP", StringComparison.OrdinalIgnoreCase) ? "DPoP" : "Bearer", tokens.AccessToken);
        }

        HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Headers.TryGetValues("DPoP-Nonce", out IEnumerable<string>? nonces))
        {
            _session.UpdateNonce(nonces.FirstOrDefault());
        }

        return response;
    }
}
