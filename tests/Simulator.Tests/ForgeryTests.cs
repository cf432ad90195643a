using RotationEngine;
using RotationEngine.Keys;
using RotationEngine.Storage;
using RotationEngine.Testing;
using RotationEngine.Tokens;
using Simulator.Oracle;
using Simulator.Simulation;
using Simulator.Stores;

namespace Simulator.Tests;

/// <summary>The thieves' forgeries (docs/semantics.md invariants 6, 12 and 13): a forged string with a real family id
/// costs no store call however far behind it claims to be, and another client's token changes nothing.</summary>
public sealed class ForgeryTests
{
    private const int Rotations = 60;

    [Fact]
    public async Task A_forged_token_with_a_real_family_id_costs_zero_store_calls_current_or_far_behind()
    {
        var (engine, store, counter, family, first, current) = await RotatedFamilyAsync();
        var record = store.Snapshot().Single();

        foreach (var real in new[] { first, current })
        {
            foreach (var kind in TokenForger.StringKinds)
            {
                for (var position = 0; position < 8; position++)
                {
                    var forged = TokenForger.Tamper(real, kind, position, (byte)(1 << position));
                    Assert.True(TokenFormat.TryDecode(forged, out var parts));
                    Assert.Equal(family, parts.FamilyId);
                    Assert.NotEqual(real, forged);
                    var expected = kind == Forgery.KeyFingerprint ? OutcomeCause.UnknownKey : OutcomeCause.NotAuthentic;

                    var calls = counter.Count;
                    var rotated = await engine.RotateAsync(forged, Simulation.DeterministicSimulation.ClientId);
                    var inspected = await engine.InspectAsync(forged);
                    var revoked = await engine.RevokeAsync(forged);

                    Assert.Equal((RotationOutcome.Invalid, expected), (rotated.Outcome, rotated.Cause));
                    Assert.Null(rotated.Token);
                    Assert.Null(rotated.FamilyId);
                    Assert.Equal((RotationOutcome.Invalid, expected), (inspected.Outcome, inspected.Cause));
                    Assert.False(revoked);
                    Assert.Equal(calls, counter.Count);
                }
            }
        }

        // Nothing changed: the store holds the very record it held before the forgeries.
        Assert.Same(record, store.Snapshot().Single());
        Assert.Equal(RotationOutcome.Rotated, (await engine.InspectAsync(current, Simulation.DeterministicSimulation.ClientId)).Outcome);
    }

    [Fact]
    public async Task Another_clients_token_is_invalid_and_changes_nothing()
    {
        var (engine, store, _, _, first, current) = await RotatedFamilyAsync();
        var record = store.Snapshot().Single();

        foreach (var token in new[] { current, first })
        {
            var result = await engine.RotateAsync(token, Simulation.DeterministicSimulation.OtherClientId);
            Assert.Equal((RotationOutcome.Invalid, OutcomeCause.ClientMismatch), (result.Outcome, result.Cause));
            Assert.Null(result.Token);
            Assert.False(await engine.RevokeAsync(token, Simulation.DeterministicSimulation.OtherClientId));
        }

        Assert.Same(record, store.Snapshot().Single());
    }

    [Fact]
    public void Forgeries_in_a_simulation_are_invalid_for_the_right_cause_and_never_reach_the_store()
    {
        var spec = TestScenarios.Shipped("stolen-cookie", "default", users: 60, days: 2, seed: 3);
        spec.Scenario.Attackers.ForgeryShare = 0.5;

        var result = TestScenarios.Run(spec);

        Assert.Null(result.Violation);
        Assert.True(result.Metrics.ForgedAttempts > 20, $"only {result.Metrics.ForgedAttempts} forged attempts");
        Assert.Equal(0, result.Metrics.ForgedStoreCalls);
        foreach (var cause in new[] { OutcomeCause.NotAuthentic, OutcomeCause.UnknownKey, OutcomeCause.ClientMismatch })
        {
            Assert.True(result.Metrics.Causes[(int)cause] > 0, $"no {cause} in the run");
        }
    }

    [Fact]
    public void A_store_that_leaves_the_client_out_of_its_condition_breaks_client_binding()
    {
        var spec = TestScenarios.Shipped("stolen-cookie", "default", users: 60, days: 2, seed: 3, sabotage: Sabotage.IgnoreClient);
        spec.Scenario.Attackers.ForgeryShare = 0.5;

        var result = TestScenarios.Run(spec);

        Assert.NotNull(result.Violation);
        Assert.Equal(13, result.Violation.Invariant);
        var (_, shrunk) = new Simulation.Shrinker(TestScenarios.Run).Shrink(spec, result.Violation);
        Assert.Equal(13, shrunk.Violation?.Invariant);
    }

    private static async Task<(RefreshTokenEngine Engine, InMemoryFamilyStore Store, StoreCallCounter Counter, FamilyId Family, string First, string Current)> RotatedFamilyAsync()
    {
        var counter = new StoreCallCounter();
        var store = new InMemoryFamilyStore();
        var material = Enumerable.Range(0, ChainKey.MinimumSize).Select(i => (byte)(i * 7)).ToArray();
        var engine = new RefreshTokenEngine(new CountingFamilyStore(store, counter), new RotationEngineOptions(), new KeyRing([new ChainKey("sim", material)]));
        var issued = await engine.IssueAsync("user-1", Simulation.DeterministicSimulation.ClientId);
        var current = issued.Token;
        for (var i = 0; i < Rotations; i++)
        {
            var result = await engine.RotateAsync(current, Simulation.DeterministicSimulation.ClientId);
            Assert.Equal(RotationOutcome.Rotated, result.Outcome);
            current = result.Token!;
        }

        return (engine, store, counter, issued.FamilyId, issued.Token, current);
    }
}
