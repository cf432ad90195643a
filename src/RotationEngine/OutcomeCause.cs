namespace RotationEngine;

/// <summary>Why an operation produced its outcome: finer than <see cref="RotationOutcome"/>, for the host's
/// audit logs and for the simulator's coverage counters. Never send it to a client.</summary>
public enum OutcomeCause
{
    /// <summary>No particular cause: a plain rotation.</summary>
    None = 0,

    /// <summary>The string is not a token: length, prefix, alphabet, encoding or checksum.</summary>
    Malformed,

    /// <summary>The token names a family the store does not hold.</summary>
    UnknownFamily,

    /// <summary>The family's key is no longer in the key ring.</summary>
    UnknownKey,

    /// <summary>The token is well formed but its secret is not in the family's chain.</summary>
    NotAuthentic,

    /// <summary>The token is further behind the current generation than the policy's chain-walk bound.</summary>
    TooFarBehind,

    /// <summary>The family has been revoked.</summary>
    FamilyRevoked,

    /// <summary>The current token's idle (sliding) expiry has been reached.</summary>
    TokenExpired,

    /// <summary>The family's absolute expiry has been reached.</summary>
    FamilyExpired,

    /// <summary>The family has rotated <see cref="RotationPolicy.MaxGenerations"/> times.</summary>
    GenerationLimit,

    /// <summary>A retired token inside the grace rule.</summary>
    WithinGrace,

    /// <summary>A retired token presented after its grace window (or with grace disabled).</summary>
    GraceWindowElapsed,

    /// <summary>A retired token more generations behind than <see cref="RotationPolicy.GraceDepth"/>.</summary>
    GraceDepthExceeded,

    /// <summary>A retired token whose replays are used up (<see cref="RotationPolicy.GraceMaxReplays"/>).</summary>
    GraceReplaysExhausted,

    /// <summary>A retired token presented after its own idle expiry.</summary>
    RetiredTokenExpired,

    /// <summary>The presented binding differs from the family's.</summary>
    BindingMismatch,
}
