using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace RotationEngine.AspNetCore.Cookies;

/// <summary>
/// Writes, reads and deletes the refresh-token cookie: <c>{name}={token}; expires={token expiry}; path={prefix};
/// secure; samesite=strict; httponly</c>. Use it from your own sign-in (after you authenticated the user) through
/// <see cref="RefreshCookieSignIn"/>, or directly.
/// </summary>
public sealed class RefreshCookie
{
    private readonly RefreshCookieOptions _options;

    /// <summary>Creates the writer for the configured cookie.</summary>
    public RefreshCookie(IOptions<RefreshCookieOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
    }

    /// <summary>Sets the cookie to <paramref name="refreshToken"/>, expiring with the token's idle expiry (sliding:
    /// every rotation moves it).</summary>
    public void Set(HttpResponse response, string refreshToken, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentException.ThrowIfNullOrEmpty(refreshToken);
        response.Headers.Append(HeaderNames.SetCookie, Header(refreshToken, expiresAt));
    }

    /// <summary>Deletes the cookie (same name, Path and attributes, expired in 1970), so the browser forgets it.</summary>
    public void Delete(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.Append(HeaderNames.SetCookie, Header("", DateTimeOffset.UnixEpoch));
    }

    /// <summary>The cookie's value in the request, or <see langword="null"/> when absent. <paramref name="duplicated"/>
    /// is set when the request carries the name more than once (a cookie of another Path, or one tossed by a sibling
    /// domain): the endpoints refuse such a request rather than guess.</summary>
    public string? Read(HttpRequest request, out bool duplicated)
    {
        ArgumentNullException.ThrowIfNull(request);
        duplicated = false;
        string? found = null;
        if (!CookieHeaderValue.TryParseList(request.Headers.Cookie, out IList<CookieHeaderValue>? cookies))
        {
            return null;
        }

        foreach (CookieHeaderValue cookie in cookies)
        {
            if (cookie.Name.Equals(_options.CookieName, StringComparison.Ordinal))
            {
                duplicated |= found is not null;
                found = cookie.Value.ToString();
            }
        }

        return found;
    }

    private string Header(string value, DateTimeOffset expiresAt) =>
        new SetCookieHeaderValue(_options.CookieName, value)
        {
            Expires = expiresAt,
            Path = _options.PathPrefix,
            Secure = true,
            SameSite = Microsoft.Net.Http.Headers.SameSiteMode.Strict,
            HttpOnly = true,
        }.ToString();
}
