namespace RotationEngine.AspNetCore.AccessTokens;

/// <summary>The answer of <see cref="IAccessTokenIssuer"/>: an access token, or a refusal of the requested scope.</summary>
public sealed class AccessTokenResult
{
    private AccessTokenResult(string? accessToken, TimeSpan lifetime, string tokenType, string? scope, string? error, string? errorDescription)
    {
        AccessToken = accessToken;
        Lifetime = lifetime;
        TokenType = tokenType;
        Scope = scope;
        Error = error;
        ErrorDescription = errorDescription;
    }

    /// <summary>The access token (null on a refusal). Never logged.</summary>
    public string? AccessToken { get; }

    /// <summary>Its lifetime, sent as <c>expires_in</c> (whole seconds, rounded down).</summary>
    public TimeSpan Lifetime { get; }

    /// <summary>The <c>token_type</c>: <c>Bearer</c> unless the token is sender-constrained (<c>DPoP</c>).</summary>
    public string TokenType { get; }

    /// <summary>The granted scope sent as <c>scope</c> (RFC 6749 §5.1), or null to leave it out.</summary>
    public string? Scope { get; }

    /// <summary>The OAuth error of a refusal (<c>invalid_scope</c>), or null.</summary>
    public string? Error { get; }

    /// <summary>A human-readable description of the refusal, or null.</summary>
    public string? ErrorDescription { get; }

    /// <summary>An access token.</summary>
    /// <param name="accessToken">The token.</param>
    /// <param name="lifetime">Its lifetime (positive).</param>
    /// <param name="scope">The granted scope, or null.</param>
    /// <param name="tokenType">The token type; default <c>Bearer</c>.</param>
    public static AccessTokenResult Success(string accessToken, TimeSpan lifetime, string? scope = null, string tokenType = "Bearer")
    {
        ArgumentException.ThrowIfNullOrEmpty(accessToken);
        ArgumentException.ThrowIfNullOrEmpty(tokenType);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        return new AccessTokenResult(accessToken, lifetime, tokenType, scope, null, null);
    }

    /// <summary>Refuses the requested scope (<c>invalid_scope</c>, RFC 6749 §5.2). The rotation has happened: the
    /// client may retry without the scope with the same refresh token within the grace rule.</summary>
    /// <param name="description">What is wrong, for the client's developer.</param>
    public static AccessTokenResult InvalidScope(string description = "The requested scope exceeds the scope originally granted.") =>
        new(null, TimeSpan.Zero, "Bearer", null, "invalid_scope", description);
}
