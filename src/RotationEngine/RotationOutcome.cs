namespace RotationEngine;

/// <summary>
/// The closed set of answers to a rotation (docs/semantics.md §5). Only <see cref="Rotated"/> and
/// <see cref="GraceReplay"/> hand the client a token; every other outcome maps to OAuth <c>invalid_grant</c>.
/// </summary>
public enum RotationOutcome
{
    /// <summary>Malformed, bad checksum, unknown family, or not authentic. The default value, so that an
    /// uninitialised result is a safe failure.</summary>
    Invalid = 0,

    /// <summary>The current token was presented: the next generation was issued and the presented one retired.</summary>
    Rotated,

    /// <summary>A retired token within the grace rule: the current token is returned unchanged.</summary>
    GraceReplay,

    /// <summary>An authentic retired token outside the grace rule: the family has been revoked.</summary>
    ReuseDetected,

    /// <summary>The family was already revoked.</summary>
    Revoked,

    /// <summary>The token's idle expiry, the family's absolute expiry or the generation limit was reached.</summary>
    Expired,

    /// <summary>The family is bound and the presented binding differs.</summary>
    BindingMismatch,
}
