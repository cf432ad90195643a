using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace RotationEngine.AspNetCore.Internal;

/// <summary>Writes the endpoints' answers: RFC 6749 §5.1 token responses, §5.2 errors, and the headers every answer carries.</summary>
internal static class OAuthResponses
{
    private const string JsonContentType = "application/json; charset=utf-8";

    /// <summary>
    /// Runs an endpoint's handler on the request's form (<see cref="OAuthForm.ReadPostAsync"/>: a request that is not a
    /// POST of a form it reads is answered there) with the headers every answer carries, turning an unexpected failure
    /// into a §5.2 <c>server_error</c> (500) that names no detail; a cancelled request and an answer already started
    /// are left alone.
    /// </summary>
    public static async Task HandleAsync(HttpContext context, ILogger logger, string endpoint, string retryAdvice,
        IReadOnlySet<string> parameters, int maxFormBytes, Func<HttpContext, OAuthForm, Task> handler)
    {
        var response = context.Response;
        NoStore(response);
        try
        {
            if (await OAuthForm.ReadPostAsync(context, parameters, maxFormBytes, logger, endpoint).ConfigureAwait(false) is { } form)
            {
                await handler(context, form).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (!response.HasStarted && exception is not OperationCanceledException)
        {
            Log.EndpointFailed(logger, endpoint, exception);
            response.Clear();
            await WriteErrorAsync(response, StatusCodes.Status500InternalServerError, "server_error", retryAdvice).ConfigureAwait(false);
        }
    }

    /// <summary><c>Cache-Control: no-store</c> and <c>Pragma: no-cache</c> (RFC 6749 §5.1), set first on every answer.</summary>
    public static void NoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }

    /// <summary>An OAuth error (RFC 6749 §5.2): a JSON object with <c>error</c> and <c>error_description</c>.</summary>
    /// <param name="response">The response.</param>
    /// <param name="status">400, 401, 405, 500 or 503.</param>
    /// <param name="error">The error code.</param>
    /// <param name="description">Printable ASCII without '"' or '\' (§5.2's error_description grammar).</param>
    /// <param name="basicRealm">For a 401: the realm of the <c>WWW-Authenticate: Basic</c> challenge.</param>
    public static async Task WriteErrorAsync(HttpResponse response, int status, string error, string? description, string? basicRealm = null)
    {
        NoStore(response);
        response.StatusCode = status;
        if (basicRealm is not null)
        {
            response.Headers.WWWAuthenticate = $"Basic realm=\"{basicRealm}\", charset=\"UTF-8\"";
        }

        response.ContentType = JsonContentType;
        var writer = new Utf8JsonWriter(response.BodyWriter);
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteString("error"u8, error);
            if (description is not null)
            {
                writer.WriteString("error_description"u8, description);
            }

            writer.WriteEndObject();
            await writer.FlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Logs a refused request of <paramref name="endpoint"/> (at Debug: a client mistake, not a server event)
    /// and answers 400 with <paramref name="error"/>.</summary>
    public static Task RefuseAsync(HttpResponse response, ILogger logger, string endpoint, string error, string? description)
    {
        Log.BadRequest(logger, endpoint, error, description);
        return WriteErrorAsync(response, StatusCodes.Status400BadRequest, error, description);
    }

    /// <summary>Logs a failed client authentication at <paramref name="endpoint"/> and answers it as
    /// <see cref="WriteClientErrorAsync"/> does.</summary>
    public static Task RefuseClientAsync(HttpResponse response, ILogger logger, string endpoint, ClientAuthentication authentication, string realm)
    {
        Log.BadRequest(logger, endpoint, authentication.Error!, authentication.Description);
        return WriteClientErrorAsync(response, authentication, realm);
    }

    /// <summary>A failed client authentication: 401 with a Basic challenge when the client used the Authorization
    /// header (RFC 6749 §5.2), else 400.</summary>
    public static Task WriteClientErrorAsync(HttpResponse response, ClientAuthentication authentication, string realm) =>
        authentication is { Error: "invalid_client", UsedBasic: true }
            ? WriteErrorAsync(response, StatusCodes.Status401Unauthorized, "invalid_client", authentication.Description, realm)
            : WriteErrorAsync(response, StatusCodes.Status400BadRequest, authentication.Error!, authentication.Description);

    /// <summary>A store fault: 503 with <c>Retry-After</c> and <c>temporarily_unavailable</c>; the outcome is unknown,
    /// so the client keeps its refresh token and retries (safe within the grace rule).</summary>
    public static Task WriteStoreFaultAsync(HttpResponse response, TimeSpan retryAfter)
    {
        response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return WriteErrorAsync(response, StatusCodes.Status503ServiceUnavailable, "temporarily_unavailable",
            "The token store is unavailable; retry later with the same refresh token.");
    }

    /// <summary>A successful token response (RFC 6749 §5.1, plus <c>refresh_token_expires_in</c>).</summary>
    public static async Task WriteTokenAsync(HttpResponse response, string accessToken, string tokenType, long expiresIn, string refreshToken, long refreshTokenExpiresIn, string? scope)
    {
        NoStore(response);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = JsonContentType;
        var writer = new Utf8JsonWriter(response.BodyWriter);
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteString("access_token"u8, accessToken);
            writer.WriteString("token_type"u8, tokenType);
            writer.WriteNumber("expires_in"u8, expiresIn);
            writer.WriteString("refresh_token"u8, refreshToken);
            writer.WriteNumber("refresh_token_expires_in"u8, refreshTokenExpiresIn);
            if (scope is not null)
            {
                writer.WriteString("scope"u8, scope);
            }

            writer.WriteEndObject();
            await writer.FlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>405 with <c>Allow: POST</c> for any other method (RFC 6749 §3.2, RFC 7009 §2.1).</summary>
    public static Task WriteMethodNotAllowedAsync(HttpResponse response)
    {
        response.Headers.Allow = "POST";
        return WriteErrorAsync(response, StatusCodes.Status405MethodNotAllowed, "invalid_request", "The endpoint accepts only POST.");
    }
}
