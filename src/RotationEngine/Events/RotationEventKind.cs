namespace RotationEngine.Events;

/// <summary>What a <see cref="RotationEvent"/> reports. The numeric values are the stable
/// <see cref="Microsoft.Extensions.Logging.EventId"/>s of the matching log entries.</summary>
public enum RotationEventKind
{
    /// <summary>A retired token replayed within the grace rule.</summary>
    GraceReplay = 1001,

    /// <summary>An authentic retired token outside the grace rule: the family was revoked.</summary>
    ReuseDetected = 1002,

    /// <summary>A token of a revoked family was presented.</summary>
    Revoked = 1003,

    /// <summary>A token of an expired family (or past its generation limit) was presented.</summary>
    Expired = 1004,

    /// <summary>An authentic token was presented with the wrong binding.</summary>
    BindingMismatch = 1005,

    /// <summary>A string that is not an authentic token was presented.</summary>
    Invalid = 1006,

    /// <summary>The host revoked a family (by token, by id or by subject).</summary>
    FamilyRevoked = 1007,
}
