namespace RotationEngine;

/// <summary>Why a family was revoked. Stored with the family and reported by <see cref="RotationOutcome.Revoked"/>.</summary>
public enum RevocationReason
{
    /// <summary>No reason given.</summary>
    Unspecified = 0,

    /// <summary>An authentic retired token was presented outside the grace rule.</summary>
    ReuseDetected = 1,

    /// <summary>An authentic token was presented with the wrong binding and the policy revokes on mismatch.</summary>
    BindingMismatch = 2,

    /// <summary>The client revoked a token of the family (RFC 7009).</summary>
    TokenRevocation = 3,

    /// <summary>The user signed out.</summary>
    SignOut = 4,

    /// <summary>An administrator or the host revoked the family.</summary>
    Administrative = 5,

    /// <summary>The user's credentials changed.</summary>
    CredentialsChanged = 6,

    /// <summary>The host believes the session is compromised.</summary>
    Compromised = 7,
}
