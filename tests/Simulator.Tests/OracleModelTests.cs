using RotationEngine;
using RotationEngine.Testing.Specification;
using Simulator.Oracle;

namespace Simulator.Tests;

/// <summary>The oracle's reference model on states set up by hand (docs/semantics.md §5–§6).</summary>
public sealed class OracleModelTests
{
    private static FamilyModel Family(RotationPolicy policy, int rotations, long every)
    {
        var family = new FamilyModel(0, 0, policy, "app", binding: null, createdAt: 0, token: "t0");
        for (var i = 1; i <= rotations; i++)
        {
            Rotate(family, i * every);
        }

        return family;
    }

    /// <summary>A rotation of the current token at <paramref name="now"/>, as the specification has it.</summary>
    private static void Rotate(FamilyModel family, long now)
    {
        var answer = RotationSpecification.Rotate(family.State, family.Generation, family.ClientId, family.Binding, now);
        Assert.Equal(RotationOutcome.Rotated, answer.Outcome);
        family.State = RotationSpecification.Apply(family.State, family.Generation, answer, now);
    }

    private static void Replayed(FamilyModel family, int generation, int times) =>
        family.State = family.State with { Replays = family.State.Replays.SetItem(generation, times) };

    private static void Revoke(FamilyModel family) => family.State = RotationSpecification.Revoke(family.State, 0);

    [Fact]
    public void A_retired_token_replays_inside_the_window_and_is_a_reuse_at_its_end()
    {
        var family = Family(new RotationPolicy { GraceWindow = TimeSpan.FromSeconds(10) }, rotations: 1, every: 1000);

        Assert.Equal(RotationOutcome.GraceReplay, InvariantOracle.Expect(family, new(0, null), 10_999, out _));
        Assert.Equal(RotationOutcome.ReuseDetected, InvariantOracle.Expect(family, new(0, null), 11_000, out var revokes));
        Assert.True(revokes);
        Assert.Equal(RotationOutcome.Rotated, InvariantOracle.Expect(family, new(1, null), 11_000, out _));
    }

    [Fact]
    public void Depth_and_replay_budget_bound_the_grace_rule()
    {
        var family = Family(new RotationPolicy { GraceWindow = TimeSpan.FromSeconds(10), GraceDepth = 2, GraceMaxReplays = 1 }, rotations: 3, every: 1000);

        Assert.Equal(RotationOutcome.GraceReplay, InvariantOracle.Expect(family, new(1, null), 3500, out _));
        Assert.Equal(RotationOutcome.ReuseDetected, InvariantOracle.Expect(family, new(0, null), 3500, out _));
        Replayed(family, generation: 1, times: 1);
        Assert.Equal(RotationOutcome.ReuseDetected, InvariantOracle.Expect(family, new(1, null), 3500, out _));
    }

    [Fact]
    public void Revocation_expiry_forgery_and_binding_come_first()
    {
        var policy = new RotationPolicy { TokenLifetime = TimeSpan.FromMinutes(1) };
        var family = Family(policy, rotations: 0, every: 1000);

        Assert.Equal(RotationOutcome.Invalid, InvariantOracle.Expect(family, new(0, null, Forgery.Secret), 10, out _));
        Assert.Equal(RotationOutcome.Invalid, InvariantOracle.Expect(family, new(1, null), 10, out _));
        Assert.Equal(RotationOutcome.Expired, InvariantOracle.Expect(family, new(0, null), 60_000, out _));
        Revoke(family);
        Assert.Equal(RotationOutcome.Revoked, InvariantOracle.Expect(family, new(0, null), 10, out _));

        var bound = new FamilyModel(1, 0, policy with { BindingMismatchRevokes = false }, "app", binding: "device", createdAt: 0, token: "t0");
        Assert.Equal(RotationOutcome.BindingMismatch, InvariantOracle.Expect(bound, new(0, "thief"), 10, out var revokes));
        Assert.False(revokes);
        Assert.Equal(RotationOutcome.Rotated, InvariantOracle.Expect(bound, new(0, "device"), 10, out _));
    }
    [Fact]
    public void A_retired_tokens_idle_expiry_runs_from_its_own_issue_time_even_at_the_deepest_grace_slot()
    {
        // One-minute tokens, 10 s of grace two generations deep. Generation 0 is issued at 0 and retired at 55 s;
        // generation 1 retired at 58 s. At 61 s generation 0 is inside its window (55 s + 10 s) but past its own
        // idle expiry (0 + 60 s): a reuse. Generation 1 (issued at 55 s) still replays.
        var family = Family(new RotationPolicy { TokenLifetime = TimeSpan.FromMinutes(1), GraceWindow = TimeSpan.FromSeconds(10), GraceDepth = 2 }, rotations: 0, every: 0);
        Rotate(family, 55_000);
        Rotate(family, 58_000);

        Assert.Equal(2, family.Generation);
        Assert.Equal(58_000 + 60_000, family.TokenExpiresAt);
        Assert.Equal(RotationOutcome.ReuseDetected, InvariantOracle.Expect(family, new(0, null), 61_000, out _, out var cause));
        Assert.Equal(OutcomeCause.RetiredTokenExpired, cause);
        Assert.Equal(RotationOutcome.GraceReplay, InvariantOracle.Expect(family, new(1, null), 61_000, out _, out cause));
        Assert.Equal(OutcomeCause.WithinGrace, cause);
        Assert.Equal(RotationOutcome.GraceReplay, InvariantOracle.Expect(family, new(0, null), 59_999, out _, out _));
    }

    [Fact]
    public void The_model_names_the_cause_the_engine_must_give()
    {
        var policy = new RotationPolicy { GraceWindow = TimeSpan.FromSeconds(10), GraceDepth = 1, GraceMaxReplays = 1 };
        var family = Family(policy, rotations: 2, every: 1000);

        OutcomeCause Cause(Presentation presented, long now)
        {
            InvariantOracle.Expect(family, presented, now, out _, out var cause);
            return cause;
        }

        Assert.Equal(OutcomeCause.None, Cause(new(2, null), 2500));
        Assert.Equal(OutcomeCause.WithinGrace, Cause(new(1, null), 2500));
        Assert.Equal(OutcomeCause.GraceDepthExceeded, Cause(new(0, null), 2500));
        Assert.Equal(OutcomeCause.GraceWindowElapsed, Cause(new(1, null), 12_000));
        Replayed(family, generation: 1, times: 1);
        Assert.Equal(OutcomeCause.GraceReplaysExhausted, Cause(new(1, null), 2500));
        Assert.Equal(OutcomeCause.RecordMismatch, Cause(new(3, null), 2500));
        Assert.Equal(OutcomeCause.NotAuthentic, Cause(new(2, null, Forgery.Tag), 2500));
        Assert.Equal(OutcomeCause.NotAuthentic, Cause(new(2, null, Forgery.IssueTime), 2500));
        Assert.Equal(OutcomeCause.UnknownKey, Cause(new(2, null, Forgery.KeyFingerprint), 2500));
        Assert.Equal(OutcomeCause.ClientMismatch, Cause(new(2, null, Forgery.OtherClient), 2500));
        Assert.Equal(OutcomeCause.TokenExpired, Cause(new(1, null), family.TokenExpiresAt));
        Assert.Equal(OutcomeCause.FamilyExpired, Cause(new(2, null), family.FamilyExpiresAt));
        Revoke(family);
        Assert.Equal(OutcomeCause.FamilyRevoked, Cause(new(2, null), 2500));

        // Another client's token is refused before anything about the family is said, revoked or not.
        Assert.Equal(OutcomeCause.ClientMismatch, Cause(new(2, null, Forgery.OtherClient), 2500));
        Assert.Equal(RotationOutcome.Invalid, InvariantOracle.Expect(family, new(2, null, Forgery.OtherClient), 2500, out var revokes));
        Assert.False(revokes);

        var strict = Family(policy with { GraceWindow = TimeSpan.Zero }, rotations: 1, every: 1000);
        Assert.Equal(RotationOutcome.ReuseDetected, InvariantOracle.Expect(strict, new(0, null), 1001, out _, out var strictCause));
        Assert.Equal(OutcomeCause.GraceWindowElapsed, strictCause);
    }
}
