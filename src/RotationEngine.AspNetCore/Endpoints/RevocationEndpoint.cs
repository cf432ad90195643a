using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RotationEngine.AspNetCore.Internal;
using RotationEngine.Storage;
using RotationEngine.Tokens;

namespace RotationEngine.AspNetCore.Endpoints;

/// <summary>
/// The revocation endpoint (RFC 7009). The client authenticates as at the token endpoint; an authentic refresh token
/// of that client revokes its whole family (reason <see cref="RevocationReason.TokenRevocation"/>). Unknown, invalid,
/// already revoked and other clients' tokens answer 200 and change nothing (§2.2: "invalid tokens do not cause an error
/// response"; a token of another client is not a valid token for the caller, and refusing it would tell the caller the
/// string is live). Access tokens cannot be revoked here: a token that is not a refresh token of this server, with
/// <c>token_type_hint=access_token</c> or in JWT form, is <c>unsupported_token_type</c> (§2.2.1).
/// </summary>
internal sealed class RevocationEndpoint(
    ClientAuthenticator authenticator, RefreshTokenEngine engine, IOptions<RotationEndpointOptions> options, ILogger<RevocationEndpoint> logger)
{
    private static readonly FrozenSet<string> Parameters =
        new[] { "token", "token_type_hint", "client_id", "client_secret" }.ToFrozenSet(StringComparer.Ordinal);

    private const string Endpoint = "revocation";

    private readonly RotationEndpointOptions _options = options.Value;

    public Task HandleAsync(HttpContext context) =>
        OAuthResponses.HandleAsync(context, logger, Endpoint, "The server failed; retry the revocation.", Parameters, _options.MaxFormBytes, HandleCoreAsync);

    private async Task HandleCoreAsync(HttpContext context, OAuthForm form)
    {
        var request = context.Request;
        var response = context.Response;
        var authentication = await authenticator.AuthenticateAsync(request, form, context.RequestAborted).ConfigureAwait(false);
        if (!authentication.Succeeded)
        {
            await OAuthResponses.RefuseClientAsync(response, logger, Endpoint, authentication, _options.Realm).ConfigureAwait(false);
            return;
        }

        if (form["token"] is not { } token)
        {
            await RefuseAsync(response, "invalid_request", "The token parameter is missing.").ConfigureAwait(false);
            return;
        }

        if (!TokenFormat.TryDecode(token, out _))
        {
            if (string.Equals(form["token_type_hint"], "access_token", StringComparison.Ordinal) || LooksLikeJwt(token))
            {
                await RefuseAsync(response, "unsupported_token_type", "This server does not revoke access tokens; they expire by themselves.").ConfigureAwait(false);
                return;
            }

            response.StatusCode = StatusCodes.Status200OK;
            return;
        }

        try
        {
            // Not the request's abort token: a revocation the client gave up on must still complete or not at all.
            await engine.RevokeAsync(token, authentication.Client!.ClientId, RevocationReason.TokenRevocation, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RotationStoreException exception)
        {
            Log.StoreUnavailable(logger, Endpoint, exception);
            await OAuthResponses.WriteStoreFaultAsync(response, _options.RetryAfter).ConfigureAwait(false);
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
    }

    private static bool LooksLikeJwt(string token) => token.Count(c => c == '.') is 2 or 4;

    private Task RefuseAsync(HttpResponse response, string error, string? description) =>
        OAuthResponses.RefuseAsync(response, logger, Endpoint, error, description);
}
