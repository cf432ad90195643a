namespace RotationEngine.AspNetCore.Cookies;

/// <summary>
/// Cookie mode for browser apps: the refresh token lives in an <c>HttpOnly; Secure; SameSite=Strict</c> cookie scoped
/// to <see cref="PathPrefix"/>, and the page gets only access tokens. See docs/aspnetcore.md, "Cookie mode".
/// </summary>
public sealed class RefreshCookieOptions
{
    /// <summary>The cookie's name. It must start with <c>__Secure-</c>, which makes browsers refuse it unless it is
    /// <c>Secure</c> and set from a secure origin. (<c>__Host-</c> would also forbid a <c>Domain</c>, but requires
    /// <c>Path=/</c>, which would send the token with every request.) Default <c>__Secure-rt</c>.</summary>
    public string CookieName { get; set; } = "__Secure-rt";

    /// <summary>The cookie's <c>Path</c> and the prefix of both endpoints (<c>{prefix}/refresh</c>,
    /// <c>{prefix}/signout</c>): the browser sends the refresh token to nothing else. Default <c>/cookie</c>.</summary>
    public string PathPrefix { get; set; } = "/cookie";

    /// <summary>The registered public client the browser app is (its policy applies; its tokens rotate only here).
    /// Default <c>spa</c>.</summary>
    public string ClientId { get; set; } = "spa";

    /// <summary>The header every refresh and sign-out request must carry (any value). Browsers let a cross-origin page
    /// send a custom header only after a CORS preflight this server does not grant, and an HTML form cannot send one.
    /// Default <c>X-Rotation-Refresh</c>.</summary>
    public string CsrfHeaderName { get; set; } = "X-Rotation-Refresh";

    /// <summary>
    /// How a grace replay's answer avoids putting a retired token back into the browser. Default
    /// <see cref="StaleCookieDefence.Recheck"/>.
    /// </summary>
    public StaleCookieDefence StaleCookieDefence { get; set; } = StaleCookieDefence.Recheck;

    /// <summary>With <see cref="StaleCookieDefence.Recheck"/>: how long a grace replay waits before it checks whether
    /// its token is still the family's current one, so that rotations racing it land first. Default 20 ms.</summary>
    public TimeSpan RecheckDelay { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How long a store fault asks the page to wait (<c>Retry-After</c>). Default 1 second.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The rate-limiter policy for the cookie endpoints, if any.</summary>
    public string? RateLimiterPolicy { get; set; }

    internal string RefreshPath => PathPrefix + "/refresh";

    internal string SignOutPath => PathPrefix + "/signout";

    internal IEnumerable<string> Validate()
    {
        if (string.IsNullOrEmpty(CookieName) || !CookieName.StartsWith("__Secure-", StringComparison.Ordinal) || CookieName.Length > 64 ||
            !CookieName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            yield return $"{nameof(RefreshCookieOptions)}.{nameof(CookieName)} must start with '__Secure-' and use letters, digits, '-', '_' or '.' (at most 64 characters); was '{CookieName}'.";
        }

        if (string.IsNullOrEmpty(PathPrefix) || PathPrefix[0] != '/' || PathPrefix.EndsWith('/') || PathPrefix.Any(c => c is ';' or ',' or ' ' or '?' or '#' || c < ' ' || c > '~'))
        {
            yield return $"{nameof(RefreshCookieOptions)}.{nameof(PathPrefix)} must start with '/', not end with '/', and hold no ';', ',', '?', '#', space or non-ASCII (was '{PathPrefix}'); '/' alone would send the refresh token with every request.";
        }

        if (string.IsNullOrEmpty(ClientId))
        {
            yield return $"{nameof(RefreshCookieOptions)}.{nameof(ClientId)} is required.";
        }

        if (string.IsNullOrEmpty(CsrfHeaderName) || !CsrfHeaderName.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') ||
            CsrfHeaderName.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"{nameof(RefreshCookieOptions)}.{nameof(CsrfHeaderName)} must be a custom header name (letters, digits, '-'); was '{CsrfHeaderName}'.";
        }

        if (!Enum.IsDefined(StaleCookieDefence))
        {
            yield return $"{nameof(RefreshCookieOptions)}.{nameof(StaleCookieDefence)} is not a defined value.";
        }

        if (RecheckDelay < TimeSpan.Zero || RecheckDelay > TimeSpan.FromSeconds(1))
        {
            yield return $"{nameof(RefreshCookieOptions)}.{nameof(RecheckDelay)} must be between 0 and 1 second (was {RecheckDelay}).";
        }

        if (RetryAfter < TimeSpan.FromSeconds(1) || RetryAfter > TimeSpan.FromHours(1))
        {
            yield return $"{nameof(RefreshCookieOptions)}.{nameof(RetryAfter)} must be between 1 second and 1 hour (was {RetryAfter}).";
        }
    }
}

/// <summary>What the cookie refresh endpoint does so that a grace replay does not set a retired token.</summary>
public enum StaleCookieDefence
{
    /// <summary>Set whatever the replay answered. A replay answered just before another rotation can reach the browser
    /// after that rotation's <c>Set-Cookie</c> and put a retired token back (measured in docs/aspnetcore.md).</summary>
    None,

    /// <summary>Before answering a replay, wait <see cref="RefreshCookieOptions.RecheckDelay"/>, then check that the
    /// token is still current; if a rotation overtook it, replay again and set the newer token.</summary>
    Recheck,
}
