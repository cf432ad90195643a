using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RotationEngine.AspNetCore.Internal;

namespace RotationEngine.AspNetCore.Endpoints;

/// <summary>The token endpoint for <c>grant_type=refresh_token</c> (RFC 6749 §6), answering §5.1 or §5.2.</summary>
internal sealed class TokenEndpoint(
    ClientAuthenticator authenticator, RefreshGrant grant, TimeProvider time, IOptions<RotationEndpointOptions> options, ILogger<TokenEndpoint> logger)
{
    private static readonly FrozenSet<string> Parameters =
        new[] { "grant_type", "refresh_token", "scope", "client_id", "client_secret" }.ToFrozenSet(StringComparer.Ordinal);

    private const string Endpoint = "token";

    private readonly RotationEndpointOptions _options = options.Value;

    public Task HandleAsync(HttpContext context) =>
        OAuthResponses.HandleAsync(context, logger, Endpoint, "The server failed; retry with the same refresh token.", Parameters, _options.MaxFormBytes, HandleCoreAsync);

    private async Task HandleCoreAsync(HttpContext context, OAuthForm form)
    {
        var request = context.Request;
        var response = context.Response;
        var grantType = form["grant_type"];
        if (grantType is null)
        {
            await RefuseAsync(response, "invalid_request", "The grant_type parameter is missing.").ConfigureAwait(false);
            return;
        }

        if (!string.Equals(grantType, "refresh_token", StringComparison.Ordinal))
        {
            await RefuseAsync(response, "unsupported_grant_type", "This endpoint serves grant_type=refresh_token only.").ConfigureAwait(false);
            return;
        }

        var authentication = await authenticator.AuthenticateAsync(request, form, context.RequestAborted).ConfigureAwait(false);
        if (!authentication.Succeeded)
        {
            await RefuseClientAsync(response, authentication).ConfigureAwait(false);
            return;
        }

        var client = authentication.Client!;
        if (!client.AllowRefreshTokenGrant)
        {
            await RefuseAsync(response, "unauthorized_client", "This client may not use the refresh_token grant.").ConfigureAwait(false);
            return;
        }

        if (form["refresh_token"] is not { } refreshToken)
        {
            await RefuseAsync(response, "invalid_request", "The refresh_token parameter is missing.").ConfigureAwait(false);
            return;
        }

        var scope = form["scope"];
        if (scope is not null && !Scopes.IsValid(scope))
        {
            await RefuseAsync(response, "invalid_scope", "The scope parameter is not a space-separated list of scope tokens (RFC 6749 section 3.3).").ConfigureAwait(false);
            return;
        }

        var result = await grant.ExecuteAsync(context, client, refreshToken, scope).ConfigureAwait(false);
        if (result.StoreFault)
        {
            await OAuthResponses.WriteStoreFaultAsync(response, _options.RetryAfter).ConfigureAwait(false);
            return;
        }

        if (!result.Succeeded)
        {
            await RefuseAsync(response, result.Error!, result.Description).ConfigureAwait(false);
            return;
        }

        var now = time.GetUtcNow();
        var accessToken = result.AccessToken!;
        var refreshExpiresIn = result.Rotation.TokenExpiresAt is { } expires ? Math.Max(0, (long)(expires - now).TotalSeconds) : 0;
        await OAuthResponses.WriteTokenAsync(response, accessToken.AccessToken!, accessToken.TokenType, (long)accessToken.Lifetime.TotalSeconds,
            result.Rotation.Token!, refreshExpiresIn, accessToken.Scope).ConfigureAwait(false);
    }

    private Task RefuseAsync(HttpResponse response, string error, string? description) =>
        OAuthResponses.RefuseAsync(response, logger, Endpoint, error, description);

    private Task RefuseClientAsync(HttpResponse response, ClientAuthentication authentication) =>
        OAuthResponses.RefuseClientAsync(response, logger, Endpoint, authentication, _options.Realm);
}
