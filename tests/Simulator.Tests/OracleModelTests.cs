using RotationEngine;
using Simulator.Oracle;

namespace Simulator.Tests;

/// <summary>The oracle's reference model on states set up by hand (SEMANTICS.md §5–§6).</summary>
public sealed class OracleModelTests
{
    private static FamilyModel Family(RotationPolicy policy, int rotations, long every)
    {
        var family = new FamilyModel(0, 0, policy, binding: null, createdAt: 0, token: "t0");
        for (var i = 1; i <= rotations; i++)
        {
            family.Retire(i * every);
            family.Generation = i;
            family.TokenExpiresAt = i * every + (long)policy.TokenLifetime.TotalMilliseconds;
        }

        return family;
    }

    [Fact]
    public void A_retired_token_replays_inside_the_window_and_is_a_reuse_at_its_end()
    {
        var family = Family(new RotationPolicy { GraceWindow = TimeSpan.FromSeconds(10) }, rotations: 1, every: 1000);

        Assert.Equal(RotationOutcome.GraceReplay, InvariantOracle.Expect(family, new(0, null, false), 10_999, out _));
        Assert.Equal(RotationOutcome.ReuseDetected, InvariantOracle.Expect(family, new(0, null, false), 11_000, out var revokes));
        Assert.True(revokes);
        Assert.Equal(RotationOutcome.Rotated, InvariantOracle.Expect(family, new(1, null, false), 11_000, out _));
    }

    [Fact]
    public void Depth_and_replay_budget_bound_the_grace_rule()
    {
        var family = Family(new RotationPolicy { GraceWindow = TimeSpan.FromSeconds(10), GraceDepth = 2, GraceMaxReplays = 1 }, rotations: 3, every: 1000);

        Assert.Equal(RotationOutcome.GraceReplay, InvariantOracle.Expect(family, new(1, null, false), 3500, out _));
        Assert.Equal(RotationOutcome.ReuseDetected, InvariantOracle.Expect(family, new(0, null, false), 3500, out _));
        family.Replays[1] = 1;
        Assert.Equal(RotationOutcome.ReuseDetected, InvariantOracle.Expect(family, new(1, null, false), 3500, out _));
    }

    [Fact]
    public void Revocation_expiry_forgery_and_binding_come_first()
    {
        var policy = new RotationPolicy { TokenLifetime = TimeSpan.FromMinutes(1) };
        var family = Family(policy, rotations: 0, every: 1000);

        Assert.Equal(RotationOutcome.Invalid, InvariantOracle.Expect(family, new(0, null, Forged: true), 10, out _));
        Assert.Equal(RotationOutcome.Invalid, InvariantOracle.Expect(family, new(1, null, false), 10, out _));
        Assert.Equal(RotationOutcome.Expired, InvariantOracle.Expect(family, new(0, null, false), 60_000, out _));
        family.Revoked = true;
        Assert.Equal(RotationOutcome.Revoked, InvariantOracle.Expect(family, new(0, null, false), 10, out _));

        var bound = new FamilyModel(1, 0, policy with { BindingMismatchRevokes = false }, binding: "device", createdAt: 0, token: "t0");
        Assert.Equal(RotationOutcome.BindingMismatch, InvariantOracle.Expect(bound, new(0, "thief", false), 10, out var revokes));
        Assert.False(revokes);
        Assert.Equal(RotationOutcome.Rotated, InvariantOracle.Expect(bound, new(0, "device", false), 10, out _));
    }
}
