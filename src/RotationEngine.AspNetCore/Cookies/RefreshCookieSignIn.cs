using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using RotationEngine.AspNetCore.AccessTokens;

namespace RotationEngine.AspNetCore.Cookies;

/// <summary>
/// Starts a cookie-mode session after your own sign-in has authenticated the user: issues a family for the cookie
/// client, sets the refresh cookie and mints the first access token through your <see cref="IAccessTokenIssuer"/>.
/// </summary>
public sealed class RefreshCookieSignIn(RefreshTokenEngine engine, IAccessTokenIssuer issuer, RefreshCookie cookie, IOptions<RefreshCookieOptions> options)
{
    private readonly RefreshCookieOptions _options = options.Value;

    /// <summary>Issues the family, sets the cookie on <paramref name="context"/>'s response and returns the access token.</summary>
    /// <param name="context">The sign-in request.</param>
    /// <param name="subject">The authenticated user.</param>
    /// <param name="metadata">Host data kept with the family (for example the granted scope).</param>
    /// <param name="cancellationToken">Cancels the store call.</param>
    /// <exception cref="RotationEngine.Storage.RotationStoreException">The store failed; answer 503.</exception>
    public async ValueTask<AccessTokenResult> SignInAsync(HttpContext context, string subject, string? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        IssueResult issued = await engine.IssueAsync(subject, _options.ClientId, binding: null, metadata, cancellationToken).ConfigureAwait(false);
        cookie.Set(context.Response, issued.Token, issued.TokenExpiresAt);
        return await issuer.IssueAsync(
            new AccessTokenRequest
            {
                Subject = subject,
                ClientId = _options.ClientId,
                FamilyId = issued.FamilyId,
                Metadata = metadata,
                HttpContext = context,
            },
            CancellationToken.None).ConfigureAwait(false);
    }
}
