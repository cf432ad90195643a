using RotationEngine.Storage;

namespace RotationEngine.Tests;

/// <summary>
/// The limits of a stored policy snapshot equal what <see cref="RotationPolicy.Validate"/> allows: each value's last
/// accepted and first refused, one value at a time (a store writer who loosens one is caught).
/// </summary>
public sealed class PolicySnapshotTests
{
    private static readonly PolicySnapshot Valid = PolicySnapshot.Of(RotationPolicy.Default);
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void Of_copies_every_run_time_rule_of_the_policy()
    {
        var policy = new RotationPolicy
        {
            TokenLifetime = TimeSpan.FromMinutes(7), GraceWindow = TimeSpan.FromSeconds(3), GraceDepth = 4, GraceMaxReplays = 2,
            BindingMismatchRevokes = false, MaxGenerations = 99,
        };
        Assert.Equal(
            new PolicySnapshot(TimeSpan.FromMinutes(7), TimeSpan.FromSeconds(3), 4, 2, false, 99),
            PolicySnapshot.Of(policy));
        Assert.Equal("policy", Assert.Throws<ArgumentNullException>(() => PolicySnapshot.Of(null!)).ParamName);
    }

    public static TheoryData<string, PolicySnapshot> Accepted => new()
    {
        { "default", Valid },
        { "shortest token lifetime", Valid with { TokenLifetime = RotationPolicy.MinLifetime } },
        { "longest token lifetime", Valid with { TokenLifetime = RotationPolicy.MaxLifetime } },
        { "strict rotation", Valid with { GraceWindow = TimeSpan.Zero } },
        { "longest grace window", Valid with { GraceWindow = RotationPolicy.MaxGraceWindow } },
        { "grace depth 1", Valid with { GraceDepth = 1 } },
        { "deepest grace", Valid with { GraceDepth = RotationPolicy.MaxGraceDepth } },
        { "unlimited replays", Valid with { GraceMaxReplays = null } },
        { "one replay", Valid with { GraceMaxReplays = 1 } },
        { "most replays", Valid with { GraceMaxReplays = RotationPolicy.MaxReplaysLimit } },
        { "one generation", Valid with { MaxGenerations = 1 } },
        { "most generations", Valid with { MaxGenerations = RotationPolicy.MaxGenerationsLimit } },
    };

    public static TheoryData<string, PolicySnapshot> Refused => new()
    {
        { "token lifetime too short", Valid with { TokenLifetime = RotationPolicy.MinLifetime - Ms } },
        { "token lifetime too long", Valid with { TokenLifetime = RotationPolicy.MaxLifetime + Ms } },
        { "token lifetime of part of a millisecond", Valid with { TokenLifetime = TimeSpan.FromHours(1) + TimeSpan.FromTicks(1) } },
        { "negative grace window", Valid with { GraceWindow = -Ms } },
        { "grace window too long", Valid with { GraceWindow = RotationPolicy.MaxGraceWindow + Ms } },
        { "grace window of part of a millisecond", Valid with { GraceWindow = TimeSpan.FromTicks(1) } },
        { "grace depth 0", Valid with { GraceDepth = 0 } },
        { "grace too deep", Valid with { GraceDepth = RotationPolicy.MaxGraceDepth + 1 } },
        { "zero replays", Valid with { GraceMaxReplays = 0 } },
        { "too many replays", Valid with { GraceMaxReplays = RotationPolicy.MaxReplaysLimit + 1 } },
        { "zero generations", Valid with { MaxGenerations = 0 } },
        { "too many generations", Valid with { MaxGenerations = RotationPolicy.MaxGenerationsLimit + 1 } },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void A_snapshot_at_a_limit_is_within_limits(string because, PolicySnapshot snapshot) =>
        Assert.True(snapshot.IsWithinLimits, because);

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_snapshot_one_step_past_a_limit_is_not(string because, PolicySnapshot snapshot) =>
        Assert.False(snapshot.IsWithinLimits, because);

    [Theory]
    [MemberData(nameof(Accepted))]
    [MemberData(nameof(Refused))]
    public void The_snapshot_limits_are_the_policy_limits(string because, PolicySnapshot snapshot)
    {
        var policy = new RotationPolicy
        {
            TokenLifetime = snapshot.TokenLifetime, FamilyLifetime = RotationPolicy.MaxLifetime, GraceWindow = snapshot.GraceWindow,
            GraceDepth = snapshot.GraceDepth, GraceMaxReplays = snapshot.GraceMaxReplays, MaxGenerations = snapshot.MaxGenerations,
        };
        // The snapshot bounds each value on its own; the one rule between two values (a grace window shorter than the
        // token lifetime) is the policy's alone.
        var errors = policy.Validate("p").Where(e => !e.Contains("must be shorter than", StringComparison.Ordinal));
        Assert.True(snapshot.IsWithinLimits == !errors.Any(), because);
    }
}
