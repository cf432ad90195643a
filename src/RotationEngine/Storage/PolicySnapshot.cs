namespace RotationEngine.Storage;

/// <summary>
/// The rules a family keeps for its whole life, frozen from its client's <see cref="RotationPolicy"/> at issue and
/// sealed with the family (a store writer cannot loosen them). Separate from <see cref="RotationPolicy"/>: it holds
/// only what rotation needs at run time (the family lifetime is already in <see cref="FamilyRecord.FamilyExpiresAt"/>).
/// Durations are whole milliseconds.
/// </summary>
/// <param name="TokenLifetime">Idle (sliding) lifetime of each token.</param>
/// <param name="GraceWindow">How long a retired generation may replay; zero is strict rotation.</param>
/// <param name="GraceDepth">How many generations back may replay (1 to <see cref="RotationPolicy.MaxGraceDepth"/>).</param>
/// <param name="GraceMaxReplays">Replays per retired generation, or null for unlimited.</param>
/// <param name="BindingMismatchRevokes">Whether a wrong binding on an authentic token revokes the family.</param>
/// <param name="MaxGenerations">The most rotations the family may make.</param>
public readonly record struct PolicySnapshot(
    TimeSpan TokenLifetime,
    TimeSpan GraceWindow,
    int GraceDepth,
    int? GraceMaxReplays,
    bool BindingMismatchRevokes,
    int MaxGenerations)
{
    /// <summary>The snapshot of <paramref name="policy"/>.</summary>
    public static PolicySnapshot Of(RotationPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new(policy.TokenLifetime, policy.GraceWindow, policy.GraceDepth, policy.GraceMaxReplays, policy.BindingMismatchRevokes, policy.MaxGenerations);
    }

    /// <summary>Whether every value is within what <see cref="RotationPolicy.Validate"/> allows: the engine treats a
    /// stored snapshot outside these limits as tampered before it does any work that depends on it.</summary>
    public bool IsWithinLimits =>
        TokenLifetime >= RotationPolicy.MinLifetime && TokenLifetime <= RotationPolicy.MaxLifetime
        && TokenLifetime.Ticks % TimeSpan.TicksPerMillisecond == 0
        && GraceWindow >= TimeSpan.Zero && GraceWindow <= RotationPolicy.MaxGraceWindow
        && GraceWindow.Ticks % TimeSpan.TicksPerMillisecond == 0
        && GraceDepth is >= 1 and <= RotationPolicy.MaxGraceDepth
        && GraceMaxReplays is null or (>= 1 and <= RotationPolicy.MaxReplaysLimit)
        && MaxGenerations is >= 1 and <= RotationPolicy.MaxGenerationsLimit;
}
