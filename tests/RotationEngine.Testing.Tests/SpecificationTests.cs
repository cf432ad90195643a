using RotationEngine.Testing.Specification;

namespace RotationEngine.Testing.Tests;

/// <summary>The kit's executable specification on states set up by hand (docs/semantics.md §4–§6): the rules the
/// property machine and the simulator's oracle both ask.</summary>
public sealed class SpecificationTests
{
    private static readonly RotationPolicy Policy = new()
    {
        TokenLifetime = TimeSpan.FromMinutes(1),
        FamilyLifetime = TimeSpan.FromHours(1),
        GraceWindow = TimeSpan.FromSeconds(10),
        GraceDepth = 2,
        GraceMaxReplays = 1,
    };

    private static FamilyState Rotated(FamilyState family, long now)
    {
        var answer = RotationSpecification.Rotate(family, family.Generation, family.ClientId, family.Binding, now);
        Assert.Equal(RotationOutcome.Rotated, answer.Outcome);
        Assert.Equal(family.Generation + 1, answer.Generation);
        return RotationSpecification.Apply(family, family.Generation, answer, now);
    }

    [Fact]
    public void A_rotation_issues_the_next_generation_and_a_retired_token_replays_once_within_the_window()
    {
        var family = Rotated(FamilyState.Issue("alice", "web", null, Policy, now: 0), now: 1_000);

        var replay = RotationSpecification.Rotate(family, 0, "web", null, 5_000);
        Assert.Equal(new SpecifiedAnswer(RotationOutcome.GraceReplay, OutcomeCause.WithinGrace, 1, Revokes: false), replay);
        family = RotationSpecification.Apply(family, 0, replay, 5_000);
        Assert.Equal(1, family.ReplaysOf(0));

        var second = RotationSpecification.Rotate(family, 0, "web", null, 5_000);
        Assert.Equal(RotationOutcome.ReuseDetected, second.Outcome);
        Assert.Equal(OutcomeCause.GraceReplaysExhausted, second.Cause);
        Assert.True(second.Revokes);
        Assert.True(RotationSpecification.Apply(family, 0, second, 5_000).Revoked);
    }

    [Fact]
    public void Each_rule_names_its_cause_in_the_order_of_the_specification()
    {
        var family = Rotated(Rotated(Rotated(FamilyState.Issue("alice", "web", "device", Policy, now: 0), 1_000), 2_000), 3_000);

        Assert.Equal(OutcomeCause.ClientMismatch, RotationSpecification.Rotate(family, 3, "spa", "device", 3_500).Cause);
        Assert.Equal(OutcomeCause.RecordMismatch, RotationSpecification.Rotate(family, 4, "web", "device", 3_500).Cause);
        Assert.Equal(OutcomeCause.GraceDepthExceeded, RotationSpecification.Rotate(family, 0, "web", "device", 3_500).Cause);
        Assert.Equal(OutcomeCause.WithinGrace, RotationSpecification.Rotate(family, 1, "web", "device", 3_500).Cause);
        Assert.Equal(OutcomeCause.GraceWindowElapsed, RotationSpecification.Rotate(family, 2, "web", "device", 13_000).Cause);
        Assert.Equal(OutcomeCause.BindingMismatch, RotationSpecification.Rotate(family, 3, "web", "other", 3_500).Cause);
        Assert.Equal(OutcomeCause.TokenExpired, RotationSpecification.Rotate(family, 3, "web", "device", 63_000).Cause);
        Assert.Equal(OutcomeCause.FamilyExpired, RotationSpecification.Rotate(family, 3, "web", "device", 3_600_000).Cause);

        var revoked = RotationSpecification.Revoke(family, 4_000);
        Assert.Equal(OutcomeCause.FamilyRevoked, RotationSpecification.Rotate(revoked, 3, "web", "device", 4_500).Cause);
        Assert.Same(revoked, RotationSpecification.Revoke(revoked, 5_000));
        Assert.Equal(OutcomeCause.ClientMismatch, RotationSpecification.Rotate(revoked, 3, "spa", "device", 4_500).Cause);
        Assert.Equal(OutcomeCause.UnknownFamily, RotationSpecification.Rotate(revoked with { Pruned = true }, 3, "web", "device", 4_500).Cause);
    }

    [Fact]
    public void Inspection_answers_as_a_rotation_would_without_moving_or_revoking()
    {
        var family = Rotated(FamilyState.Issue("alice", "web", null, Policy with { GraceWindow = TimeSpan.Zero }, now: 0), now: 1_000);

        Assert.Equal(new SpecifiedAnswer(RotationOutcome.Rotated, OutcomeCause.None, 1, Revokes: false), RotationSpecification.Inspect(family, 1, "web", null, 2_000));
        Assert.Equal(new SpecifiedAnswer(RotationOutcome.ReuseDetected, OutcomeCause.GraceWindowElapsed, 1, Revokes: false), RotationSpecification.Inspect(family, 0, "web", null, 2_000));
    }

    [Fact]
    public void A_family_is_listed_until_its_token_expires_and_pruned_after_the_retention()
    {
        var family = FamilyState.Issue("alice", "web", null, Policy, now: 0);
        var retention = TimeSpan.FromMinutes(5);

        Assert.True(family.IsLive(59_999));
        Assert.False(family.IsLive(60_000));
        Assert.Equal(60_000 + 300_000, RotationSpecification.PrunableAfter(family, retention));
        Assert.False(RotationSpecification.IsPrunable(family, 360_000, retention));
        Assert.True(RotationSpecification.IsPrunable(family, 360_001, retention));
        Assert.Throws<ArgumentOutOfRangeException>(() => RotationSpecification.Rotate(family, -1, "web", null, 0));
    }
}
