using RotationEngine;
using RotationEngine.AspNetCore.Clients;
using RotationEngine.Storage;

namespace AuthServer;

/// <summary>
/// The fake sign-in: <c>POST /signin</c> with <c>username</c>, <c>client_id</c> and optional <c>scope</c> starts a
/// family for that user and client and answers like a token endpoint (RFC 6749 §5.1). It stands in for your real
/// sign-in (password, passkey, authorization code exchange): there is no password here.
/// </summary>
public static class SignInEndpoint
{
    /// <summary>The scope a sign-in grants when it names none.</summary>
    public const string DefaultScope = "openid offline_access api";

    /// <summary>Maps <c>POST /signin</c>.</summary>
    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder app)
    {
        app.MapPost("/signin", async (HttpContext http, RefreshTokenEngine engine, IClientRegistry clients, JwtAccessTokenIssuer issuer, TimeProvider time) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            http.Response.Headers.Pragma = "no-cache";
            if (!http.Request.HasFormContentType)
            {
                return Results.BadRequest(new { error = "invalid_request", error_description = "Send username and client_id as a form." });
            }

            var form = await http.Request.ReadFormAsync();
            var user = form["username"].ToString();
            var clientId = form["client_id"].ToString();
            var scope = form["scope"].Count == 1 ? form["scope"].ToString() : DefaultScope;
            if (form["username"].Count != 1 || form["client_id"].Count != 1 || !IsPlain(user, RefreshTokenEngine.MaxSubjectLength) || !IsPlain(clientId, RefreshTokenEngine.MaxClientIdLength) || !IsPlain(scope, 1024))
            {
                return Results.BadRequest(new { error = "invalid_request", error_description = "username, client_id and scope must each be given once, in printable ASCII." });
            }

            if (await clients.FindAsync(clientId) is null)
            {
                return Results.BadRequest(new { error = "invalid_client", error_description = "Unknown client." });
            }

            try
            {
                var issued = await engine.IssueAsync(user, clientId, binding: null, metadata: scope);
                var now = time.GetUtcNow();
                var lifetime = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<SampleSettings>>().Value.AccessTokenLifetime;
                return Results.Json(new
                {
                    access_token = issuer.Mint(user, clientId, issued.FamilyId.ToString(), scope),
                    token_type = "Bearer",
                    expires_in = (long)lifetime.TotalSeconds,
                    refresh_token = issued.Token,
                    refresh_token_expires_in = (long)(issued.TokenExpiresAt - now).TotalSeconds,
                    scope,
                });
            }
            catch (RotationStoreException)
            {
                http.Response.Headers.RetryAfter = "1";
                return Results.Json(new { error = "temporarily_unavailable" }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
        return app;
    }

    private static bool IsPlain(string value, int maxLength) =>
        value.Length is > 0 && value.Length <= maxLength && value.All(c => c is >= ' ' and <= '~');
}
