using RotationEngine.AspNetCore.Cookies;
using RotationEngine.Storage;

namespace AuthServer;

/// <summary>
/// Cookie mode's fake sign-in for the page in wwwroot: <c>POST /cookie/signin</c> with a <c>username</c> form field
/// starts a family for the browser client, sets the refresh cookie and answers the first access token. Like
/// <see cref="SignInEndpoint"/> it stands in for your real sign-in and checks no password.
/// </summary>
public static class CookieSignIn
{
    /// <summary>Maps <c>POST {prefix}/signin</c> on cookie mode's group.</summary>
    public static RouteGroupBuilder MapCookieSignIn(this RouteGroupBuilder group)
    {
        group.MapPost("/signin", async (HttpContext http, RefreshCookieSignIn cookies) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            http.Response.Headers.Pragma = "no-cache";
            if (!http.Request.Headers.ContainsKey("X-Rotation-Refresh") || (http.Request.Headers.ContainsKey("Sec-Fetch-Site") && http.Request.Headers["Sec-Fetch-Site"] != "same-origin"))
            {
                return Results.Json(new { error = "invalid_request", error_description = "Sign in from this origin's page." }, statusCode: StatusCodes.Status403Forbidden);
            }

            if (!http.Request.HasFormContentType)
            {
                return Results.BadRequest(new { error = "invalid_request", error_description = "Send username as a form." });
            }

            var form = await http.Request.ReadFormAsync();
            var user = form["username"].ToString();
            if (form["username"].Count != 1 || user.Length is 0 or > 64 || !user.All(char.IsAsciiLetterOrDigit))
            {
                return Results.BadRequest(new { error = "invalid_request", error_description = "username must be 1 to 64 ASCII letters or digits." });
            }

            try
            {
                var access = await cookies.SignInAsync(http, user, SignInEndpoint.DefaultScope);
                return Results.Json(new { access_token = access.AccessToken, token_type = access.TokenType, expires_in = (long)access.Lifetime.TotalSeconds, scope = access.Scope });
            }
            catch (RotationStoreException)
            {
                http.Response.Headers.RetryAfter = "1";
                return Results.Json(new { error = "temporarily_unavailable" }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
        return group;
    }
}
