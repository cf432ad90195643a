namespace RotationEngine.Client;

/// <summary>
/// The tokens of one signed-in session: the access token the client attaches to API requests and the refresh token
/// that gets the next one. Only <see cref="RefreshToken"/> must survive a restart; <see cref="ITokenStore"/> keeps it.
/// </summary>
/// <param name="AccessToken">The access token, or <see langword="null"/> when only a refresh token is known (after a
/// restart): the first request then refreshes.</param>
/// <param name="AccessTokenType">The token type the server answered (<c>Bearer</c>, or <c>DPoP</c> for a bound token).</param>
/// <param name="AccessTokenExpiresAt">When the access token expires (from <c>expires_in</c>); <see langword="null"/> if unknown.</param>
/// <param name="RefreshToken">The refresh token (rotated on every refresh).</param>
/// <param name="RefreshTokenExpiresAt">When the refresh token's idle lifetime ends (from <c>refresh_token_expires_in</c>), if the server said.</param>
public sealed record TokenSet(
    string? AccessToken,
    string AccessTokenType,
    DateTimeOffset? AccessTokenExpiresAt,
    string RefreshToken,
    DateTimeOffset? RefreshTokenExpiresAt)
{
    /// <summary>A session known only by its refresh token (what a store returns after a restart).</summary>
    public static TokenSet FromRefreshToken(string refreshToken) => new(null, "Bearer", null, refreshToken, null);

    /// <summary>Leaves both tokens out, so a logged or serialized <see cref="TokenSet"/> discloses nothing.</summary>
    public override string ToString() =>
        $"TokenSet {{ AccessTokenType = {AccessTokenType}, AccessTokenExpiresAt = {AccessTokenExpiresAt:O}, RefreshTokenExpiresAt = {RefreshTokenExpiresAt:O} }}";
}
