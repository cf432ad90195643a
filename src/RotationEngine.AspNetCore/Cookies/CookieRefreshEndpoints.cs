using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RotationEngine.AspNetCore.Clients;
using RotationEngine.AspNetCore.Endpoints;
using RotationEngine.AspNetCore.Internal;
using RotationEngine.Storage;

namespace RotationEngine.AspNetCore.Cookies;

/// <summary>
/// The cookie-mode endpoints: <c>POST {prefix}/refresh</c> rotates the cookie's refresh token and answers the access
/// token as JSON (never the refresh token); <c>POST {prefix}/signout</c> revokes the family (reason
/// <see cref="RevocationReason.SignOut"/>) and deletes the cookie. Both refuse a request without the custom CSRF header
/// or whose <c>Sec-Fetch-Site</c> is not <c>same-origin</c>, with 403 and no change.
/// </summary>
internal sealed class CookieRefreshEndpoints(
    RefreshGrant grant,
    RefreshTokenEngine engine,
    IClientRegistry clients,
    RefreshCookie cookie,
    TimeProvider time,
    IOptions<RefreshCookieOptions> options,
    ILogger<CookieRefreshEndpoints> logger)
{
    private const string JsonContentType = "application/json; charset=utf-8";
    private readonly RefreshCookieOptions _options = options.Value;

    public Task RefreshAsync(HttpContext context) => GuardAsync(context, "cookie refresh", RefreshCoreAsync);

    public Task SignOutAsync(HttpContext context) => GuardAsync(context, "cookie sign-out", SignOutCoreAsync);

    private async Task GuardAsync(HttpContext context, string endpoint, Func<HttpContext, Task> handler)
    {
        HttpResponse response = context.Response;
        OAuthResponses.NoStore(response);
        try
        {
            if (!HttpMethods.IsPost(context.Request.Method))
            {
                await OAuthResponses.WriteMethodNotAllowedAsync(response).ConfigureAwait(false);
                return;
            }

            if (CsrfRefusal(context.Request) is { } refusal)
            {
                CookieLog.CrossSiteRefused(logger, endpoint, refusal);
                await OAuthResponses.WriteErrorAsync(response, StatusCodes.Status403Forbidden, "invalid_request", refusal).ConfigureAwait(false);
                return;
            }

            await handler(context).ConfigureAwait(false);
        }
        catch (Exception exception) when (!response.HasStarted && exception is not OperationCanceledException)
        {
            Log.EndpointFailed(logger, endpoint, exception);
            response.Clear();
            OAuthResponses.NoStore(response);
            await OAuthResponses.WriteErrorAsync(response, StatusCodes.Status500InternalServerError, "server_error", "The server failed; retry.").ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The CSRF defence. With <c>SameSite=Strict</c> the browser sends the cookie only on requests a page of the same
    /// site starts, so a cross-site attacker cannot refresh or sign out. Two checks cover what SameSite does not:
    /// a sibling origin of the same site (another subdomain) and browsers without SameSite. A custom header cannot be
    /// sent by a form and, cross-origin, only after a CORS preflight this server never grants; <c>Sec-Fetch-Site</c>
    /// (sent by every current browser) must say <c>same-origin</c> when present.
    /// </summary>
    private string? CsrfRefusal(HttpRequest request)
    {
        if (!request.Headers.ContainsKey(_options.CsrfHeaderName))
        {
            return $"The request lacks the {_options.CsrfHeaderName} header.";
        }

        string? site = request.Headers["Sec-Fetch-Site"].Count == 1 ? request.Headers["Sec-Fetch-Site"].ToString() : null;
        if (request.Headers.ContainsKey("Sec-Fetch-Site") && site is not "same-origin")
        {
            return "Only a page of this origin may use this endpoint (Sec-Fetch-Site must be same-origin).";
        }

        return null;
    }

    private async Task RefreshCoreAsync(HttpContext context)
    {
        HttpResponse response = context.Response;
        string? token = cookie.Read(context.Request, out bool duplicated);
        if (duplicated)
        {
            await OAuthResponses.WriteErrorAsync(response, StatusCodes.Status400BadRequest, "invalid_request",
                $"The request carries more than one {_options.CookieName} cookie.").ConfigureAwait(false);
            return;
        }

        if (string.IsNullOrEmpty(token))
        {
            cookie.Delete(response);
            await OAuthResponses.WriteErrorAsync(response, StatusCodes.Status400BadRequest, "invalid_grant", "No refresh cookie: sign in.").ConfigureAwait(false);
            return;
        }

        ClientRegistration client = await FindClientAsync(context.RequestAborted).ConfigureAwait(false);
        RefreshGrantResult result = await grant.ExecuteAsync(context, client, token, scope: null).ConfigureAwait(false);
        if (result.StoreFault)
        {
            await OAuthResponses.WriteStoreFaultAsync(response, _options.RetryAfter).ConfigureAwait(false);   // the cookie stays: retry with it
            return;
        }

        if (!result.Succeeded)
        {
            if (result.Error == "invalid_grant")
            {
                cookie.Delete(response);
            }

            await OAuthResponses.WriteErrorAsync(response, StatusCodes.Status400BadRequest, result.Error!, result.Description).ConfigureAwait(false);
            return;
        }

        RotationResult rotation = result.Rotation;
        if (rotation.Outcome != RotationOutcome.GraceReplay || await StillCurrentAsync(rotation, client, result.Binding).ConfigureAwait(false))
        {
            cookie.Set(response, rotation.Token!, rotation.TokenExpiresAt!.Value);
        }

        var accessToken = result.AccessToken!;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = JsonContentType;
        var writer = new Utf8JsonWriter(response.BodyWriter);
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteString("access_token"u8, accessToken.AccessToken);
            writer.WriteString("token_type"u8, accessToken.TokenType);
            writer.WriteNumber("expires_in"u8, (long)accessToken.Lifetime.TotalSeconds);
            if (accessToken.Scope is not null)
            {
                writer.WriteString("scope"u8, accessToken.Scope);
            }

            writer.WriteEndObject();
            await writer.FlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The stale-cookie defence for a grace replay. The replay's token was current when the engine answered; if a
    /// rotation of it lands before this answer reaches the browser, its <c>Set-Cookie</c> would put a retired token
    /// back (and the next refresh outside the grace window is reuse, which ends the session). So wait a moment for
    /// racing rotations, then check: if the token is no longer current, the newer rotation's answer — sent to whoever
    /// presented this token, that is this browser — carries the newer cookie, and this answer sets none. The access
    /// token is answered either way. Nothing is counted or written: the check is an inspection.
    /// </summary>
    private async ValueTask<bool> StillCurrentAsync(RotationResult replay, ClientRegistration client, string? binding)
    {
        if (_options.StaleCookieDefence == StaleCookieDefence.None)
        {
            return true;
        }

        if (_options.RecheckDelay > TimeSpan.Zero)
        {
            await Task.Delay(_options.RecheckDelay, time).ConfigureAwait(false);
        }

        try
        {
            RotationResult now = await engine.InspectAsync(replay.Token, client.ClientId, binding, CancellationToken.None).ConfigureAwait(false);
            bool current = now.Outcome == RotationOutcome.Rotated;
            if (!current)
            {
                CookieLog.StaleReplayCookieWithheld(logger, replay.FamilyId, now.Outcome);
            }

            return current;
        }
        catch (RotationStoreException)
        {
            return true;       // cannot tell: the replay's answer was right when it was made
        }
    }

    private async Task SignOutCoreAsync(HttpContext context)
    {
        HttpResponse response = context.Response;
        string? token = cookie.Read(context.Request, out bool duplicated);
        if (!string.IsNullOrEmpty(token) && !duplicated)
        {
            ClientRegistration client = await FindClientAsync(context.RequestAborted).ConfigureAwait(false);
            try
            {
                await engine.RevokeAsync(token, client.ClientId, RevocationReason.SignOut, CancellationToken.None).ConfigureAwait(false);
            }
            catch (RotationStoreException exception)
            {
                Log.StoreUnavailable(logger, "cookie sign-out", exception);
                await OAuthResponses.WriteStoreFaultAsync(response, _options.RetryAfter).ConfigureAwait(false);   // keep the cookie: retry
                return;
            }
        }

        cookie.Delete(response);
        response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async ValueTask<ClientRegistration> FindClientAsync(CancellationToken cancellationToken) =>
        await clients.FindAsync(_options.ClientId, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidOperationException($"Cookie mode's client '{_options.ClientId}' (RefreshCookieOptions.ClientId) is not registered.");
}
