namespace RotationEngine.OpenIddict;

/// <summary>Options of the OpenIddict integration (<c>UseRotationEngine</c>). The rotation rules themselves (lifetimes,
/// grace window, depth) are the engine's <see cref="RotationEngineOptions"/>; OpenIddict's
/// <c>RefreshTokenLifetime</c> and <c>RefreshTokenReuseLeeway</c> do not apply to engine tokens.</summary>
public sealed class OpenIddictServerRotationEngineOptions
{
    /// <summary>What the token endpoint does with refresh tokens that are not the engine's. Default
    /// <see cref="LegacyRefreshTokens.Reject"/>.</summary>
    public LegacyRefreshTokens LegacyRefreshTokens { get; set; } = LegacyRefreshTokens.Reject;

    /// <summary>Whether a refresh token reused outside the grace rule (the engine revokes its family) also revokes the
    /// family's OpenIddict authorization, so that access tokens checked against it stop working and other sessions
    /// sharing a permanent authorization end too. Default true.</summary>
    public bool RevokeAuthorizationOnReuse { get; set; } = true;

    /// <summary>Whether revoking a refresh token at the revocation endpoint (RFC 7009) also revokes the family's
    /// OpenIddict authorization when that authorization is ad hoc (created for this sign-in alone). Permanent
    /// authorizations (a remembered consent) are left alone. Default true.</summary>
    public bool RevokeAdHocAuthorizationOnRevocation { get; set; } = true;

    /// <summary>The <c>Retry-After</c> a client is sent with the 503 <c>temporarily_unavailable</c> answer to a store
    /// fault. Default 1 second; 1 second to 1 hour, whole seconds.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);
}
