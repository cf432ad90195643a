namespace RotationEngine.Testing.Model;

/// <summary>How a forged string is made from a real token (or from nothing). Reproducible from the FsCheck seed;
/// the real token's bytes are read only when the check runs. A forger holds no key: every field change keeps the
/// original tag.</summary>
internal enum ForgeryKind
{
    /// <summary>Generated text, sometimes with the right prefix and length.</summary>
    RandomText,

    /// <summary>One bit of one character of the token flipped.</summary>
    CharacterBitFlip,

    /// <summary>The token cut short.</summary>
    Truncated,

    /// <summary>The token with one more character.</summary>
    Extended,

    /// <summary>The prefix in upper case.</summary>
    UpperCasePrefix,

    /// <summary>The version 1 prefix on a version 2 body.</summary>
    OldPrefix,

    /// <summary>The token with surrounding white space.</summary>
    Whitespace,

    /// <summary>One bit of the key fingerprint flipped.</summary>
    FingerprintBitFlip,

    /// <summary>One bit of the family id flipped.</summary>
    FamilyIdBitFlip,

    /// <summary>One bit of the generation flipped.</summary>
    GenerationBitFlip,

    /// <summary>One bit of the issue time flipped.</summary>
    IssuedAtBitFlip,

    /// <summary>One bit of the secret flipped.</summary>
    SecretBitFlip,

    /// <summary>One bit of the tag flipped.</summary>
    TagBitFlip,

    /// <summary>Another family's id with this token's other fields.</summary>
    OtherFamilyId,

    /// <summary>A real token of a family issued under a key the engine does not hold.</summary>
    UnknownKey,
}
