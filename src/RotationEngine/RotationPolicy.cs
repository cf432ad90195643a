namespace RotationEngine;

/// <summary>
/// The rotation and grace rules of a client's families (docs/semantics.md §6). A family keeps the rules it was
/// issued under for its whole life (<see cref="Storage.PolicySnapshot"/>), so a policy change applies to sign-ins after
/// the change; revoke existing families if the change must apply at once.
/// </summary>
/// <remarks>All durations are whole milliseconds: the engine keeps time at millisecond precision.</remarks>
public sealed record RotationPolicy
{
    /// <summary>The policy with every default: the one a client without its own policy gets.</summary>
    public static RotationPolicy Default { get; } = new();

    /// <summary>Idle (sliding) lifetime: each rotation sets the token's expiry to now plus this.
    /// Default 14 days; 1 second to 3,650 days.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromDays(14);

    /// <summary>Absolute lifetime: no rotation succeeds at or after issue time plus this.
    /// Default 90 days; 1 second to 3,650 days.</summary>
    public TimeSpan FamilyLifetime { get; init; } = TimeSpan.FromDays(90);

    /// <summary>How long after a generation is retired it may still replay; zero is strict rotation.
    /// Default 10 seconds; 0 to 1 hour, and less than <see cref="TokenLifetime"/>.</summary>
    public TimeSpan GraceWindow { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How many generations back may replay; 1 is only the immediate predecessor.
    /// Default 1; 1 to <see cref="MaxGraceDepth"/>.</summary>
    public int GraceDepth { get; init; } = 1;

    /// <summary>Replays allowed per retired generation, or <see langword="null"/> for unlimited within the
    /// window. Default <see langword="null"/>; 1 to 65,535.</summary>
    public int? GraceMaxReplays { get; init; }

    /// <summary>Whether every family of the client must be bound (for example to a DPoP key, as RFC 9449 §5 requires
    /// for public clients): <see cref="RefreshTokenEngine.IssueAsync"/> refuses to start an unbound one. Default false.</summary>
    public bool RequireBinding { get; init; }

    /// <summary>Whether an authentic token presented with the wrong binding revokes the family. Default true.</summary>
    public bool BindingMismatchRevokes { get; init; } = true;

    /// <summary>The most rotations a family may make. It also bounds the one chain walk that proves a reused token
    /// before the family is revoked. The default, 200,000, lets a client that refreshes every minute live out the
    /// default 90-day <see cref="FamilyLifetime"/> (129,600 rotations), and one that refreshes every 5 minutes live
    /// 694 days. 1 to 1,000,000.</summary>
    public int MaxGenerations { get; init; } = DefaultMaxGenerations;

    /// <summary>The default of <see cref="MaxGenerations"/>.</summary>
    public const int DefaultMaxGenerations = 200_000;

    /// <summary>The largest allowed <see cref="GraceDepth"/>.</summary>
    public const int MaxGraceDepth = 8;

    /// <summary>The largest allowed <see cref="GraceMaxReplays"/>.</summary>
    public const int MaxReplaysLimit = ushort.MaxValue;

    /// <summary>The largest allowed <see cref="MaxGenerations"/>.</summary>
    public const int MaxGenerationsLimit = 1_000_000;

    /// <summary>The shortest allowed <see cref="TokenLifetime"/> and <see cref="FamilyLifetime"/>.</summary>
    public static readonly TimeSpan MinLifetime = TimeSpan.FromSeconds(1);

    /// <summary>The longest allowed <see cref="TokenLifetime"/> and <see cref="FamilyLifetime"/>.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(3650);

    /// <summary>The longest allowed <see cref="GraceWindow"/>.</summary>
    public static readonly TimeSpan MaxGraceWindow = TimeSpan.FromHours(1);

    /// <summary>Lists what is wrong with this policy, each message naming the option and its allowed range.</summary>
    /// <param name="name">How to name this policy in the messages, e.g. <c>DefaultPolicy</c>.</param>
    public IEnumerable<string> Validate(string name = nameof(RotationPolicy))
    {
        foreach (var error in Range(name, nameof(TokenLifetime), TokenLifetime, MinLifetime, MaxLifetime))
        {
            yield return error;
        }

        foreach (var error in Range(name, nameof(FamilyLifetime), FamilyLifetime, MinLifetime, MaxLifetime))
        {
            yield return error;
        }

        foreach (var error in Range(name, nameof(GraceWindow), GraceWindow, TimeSpan.Zero, MaxGraceWindow))
        {
            yield return error;
        }

        if (GraceWindow > TimeSpan.Zero && GraceWindow >= TokenLifetime)
        {
            yield return $"{name}.{nameof(GraceWindow)} ({GraceWindow}) must be shorter than {name}.{nameof(TokenLifetime)} ({TokenLifetime}).";
        }

        if (GraceDepth is < 1 or > MaxGraceDepth)
        {
            yield return $"{name}.{nameof(GraceDepth)} is {GraceDepth}; it must be from 1 to {MaxGraceDepth}.";
        }

        if (GraceMaxReplays is < 1 or > MaxReplaysLimit)
        {
            yield return $"{name}.{nameof(GraceMaxReplays)} is {GraceMaxReplays}; it must be null (unlimited) or from 1 to {MaxReplaysLimit}.";
        }

        if (MaxGenerations is < 1 or > MaxGenerationsLimit)
        {
            yield return $"{name}.{nameof(MaxGenerations)} is {MaxGenerations}; it must be from 1 to {MaxGenerationsLimit}.";
        }
    }

    private static IEnumerable<string> Range(string name, string option, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            yield return $"{name}.{option} is {value}; it must be from {min} to {max}.";
        }
        else if (value.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            yield return $"{name}.{option} is {value}; it must be a whole number of milliseconds.";
        }
    }
}
