namespace OpenIddictServer;

/// <summary>Who serves the refresh tokens.</summary>
public enum RefreshTokenMode
{
    /// <summary>OpenIddict's own refresh tokens: a token entry per refresh token, its 30-second reuse leeway.</summary>
    OpenIddict,

    /// <summary>RotationEngine's, through <c>UseRotationEngine()</c>.</summary>
    RotationEngine,
}
