namespace RotationEngine.OpenIddict;

/// <summary>What the token endpoint does with a refresh token that is not a RotationEngine token — typically one
/// OpenIddict issued before the server switched.</summary>
public enum LegacyRefreshTokens
{
    /// <summary>Refuse it with <c>invalid_grant</c> and a description saying it predates the switch (the default).
    /// Costs no database call: the string is refused by its shape.</summary>
    Reject = 0,

    /// <summary>Let OpenIddict validate it as before (its token entry, its reuse leeway) and answer with a
    /// RotationEngine token, which starts a family: a migration window, so that sessions survive the switch. Turn it off
    /// once OpenIddict's refresh-token lifetime has passed since the switch.</summary>
    Migrate = 1,
}
