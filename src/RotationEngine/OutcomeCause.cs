namespace RotationEngine;

/// <summary>Why an operation produced its outcome: finer than <see cref="RotationOutcome"/>, for the host's
/// audit logs and for the simulator's coverage counters. Never send it to a client.</summary>
public enum OutcomeCause
{
    /// <summary>No particular cause: a plain rotation.</summary>
    None = 0,

    /// <summary>The string is not a token: length, prefix, alphabet, encoding or a negative generation.</summary>
    Malformed,

    /// <summary>The token is authentic but its family is not in the store (pruned, or never stored).</summary>
    UnknownFamily,

    /// <summary>The token names a key the key ring does not hold (retired, another deployment's, or forged).</summary>
    UnknownKey,

    /// <summary>The token's tag does not verify: the server did not mint it. Decided before any store access.</summary>
    NotAuthentic,

    /// <summary>The family has been revoked.</summary>
    FamilyRevoked,

    /// <summary>The presented token's idle (sliding) expiry, or the current token's, has been reached.</summary>
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

    /// <summary>The token belongs to a family of another client (RFC 6749 §6): nothing changes.</summary>
    ClientMismatch,

    /// <summary>The family's record was edited outside the engine: its seal does not verify, or a value is outside
    /// the engine's limits. Nothing changes.</summary>
    Tampered,

    /// <summary>The token is authentic but the record does not continue its chain: the store lost writes (a restored
    /// backup, a failover to a lagging replica) or its digest or ledger was edited. Nothing changes.</summary>
    RecordMismatch,
}
