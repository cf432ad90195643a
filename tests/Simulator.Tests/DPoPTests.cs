using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RotationEngine;
using RotationEngine.AspNetCore.Binding;
using RotationEngine.AspNetCore.Clients;
using RotationEngine.DPoP;
using Simulator.Core;
using Simulator.Simulation;

namespace Simulator.Tests;

/// <summary>A bound policy runs the shipped DPoP code: real proofs from the shipped client, checked by the binding
/// source <c>AddDPoP()</c> registers, its thumbprint the engine's binding; and a broken binding source is caught.</summary>
public sealed class DPoPTests
{
    [Fact]
    public void A_bound_run_checks_every_sign_in_and_refresh_with_the_DPoP_binding_source_and_thieves_get_nothing()
    {
        var result = TestScenarios.Run(TestScenarios.Shipped("stolen-cookie", "default-bound", users: 60, days: 2));
        var m = result.Metrics;

        Assert.Null(result.Violation);
        // Every sign-in and every arrival at the engine (duplicates included) went through the binding source first,
        // and the replays it refused never reached the engine.
        Assert.Equal(m.SignIns + m.ServerRequests + m.DPoPRefusals, m.DPoPChecks);
        Assert.True(m.DPoPProofs > m.SignIns + m.HonestRefreshes, $"{m.DPoPProofs} proofs for {m.SignIns} sign-ins and {m.HonestRefreshes} refreshes: thieves with a key sign too");
        Assert.True(m.KeylessThieves > 0 && m.KeylessThieves < m.Thefts, $"{m.KeylessThieves} keyless of {m.Thefts} thieves");
        Assert.True(m.TheftsUsed > 5, $"only {m.TheftsUsed} thefts used");
        Assert.True(m.Outcomes[(int)RotationOutcome.BindingMismatch] > 0);
        Assert.Equal(0, m.AttackerRefreshes);
        Assert.Equal(0, m.AttackerAccessMs);
        // A thief who presents a copy stolen from an already revoked family is not detected (nothing is left to revoke).
        Assert.True(m.TheftsDetected * 10 >= m.TheftsUsed * 9, $"{m.TheftsDetected} detected of {m.TheftsUsed} used");
    }

    [Fact]
    public void The_advisors_model_binding_makes_no_proofs_and_still_leaves_thieves_nothing()
    {
        var spec = TestScenarios.Shipped("stolen-cookie", "default-bound", users: 40, days: 1) with { ModelBinding = true };
        var result = TestScenarios.Run(spec);
        var m = result.Metrics;

        Assert.Null(result.Violation);
        Assert.Equal(0, m.DPoPProofs);
        Assert.Equal(0, m.DPoPChecks);
        Assert.True(m.Outcomes[(int)RotationOutcome.BindingMismatch] > 0);
        Assert.Equal(0, m.AttackerAccessMs);
    }

    [Fact]
    public void A_bound_run_is_deterministic_although_signatures_are_random()
    {
        var spec = TestScenarios.Shipped("spa-tabs", "default-bound", users: 20, days: 1, seed: 4);
        spec.Scenario.Network.DuplicateRate = 0.02;

        var first = TestScenarios.Run(spec);
        var second = TestScenarios.Run(spec);

        Assert.Null(first.Violation);
        Assert.True(first.Metrics.DPoPChecks > 1000, $"only {first.Metrics.DPoPChecks} DPoP checks");
        Assert.True(first.Metrics.DPoPRefusals > 0, "a duplicated request's proof is a replay");
        Assert.Equal(first.HashText, second.HashText);
        Assert.Equal(first.HistoryCount, second.HistoryCount);
        Assert.Equal(first.Metrics.DPoPProofs, second.Metrics.DPoPProofs);
        Assert.Equal(first.Metrics.DPoPRefusals, second.Metrics.DPoPRefusals);
    }

    [Fact]
    public void The_wire_binds_each_label_to_its_own_key_on_the_virtual_clock_and_refuses_replays()
    {
        var clock = new VirtualClock { NowMs = 86_400_000 };
        using var wire = new DPoPWire(clock, new RotationPolicy(), configure: null);
        wire.StartServers([new InstanceTimeProvider(clock, 0), new InstanceTimeProvider(clock, 2000)]);

        var proof = wire.Prove("device-1-0");
        var bound = wire.Check(0, proof, "app");
        var other = wire.Check(1, wire.Prove("thief-0"), "app");

        Assert.Null(bound.Error);
        Assert.Equal(wire.Thumbprint("device-1-0"), bound.Value);
        Assert.Equal(wire.Thumbprint("thief-0"), other.Value);
        Assert.NotEqual(bound.Value, other.Value);
        Assert.Equal(bound.Value, wire.Check(1, wire.Prove("device-1-0"), "app").Value);
        Assert.Equal("invalid_dpop_proof", wire.Check(1, proof, "app").Error);
        Assert.Equal(RefreshTokenBinding.None, wire.Check(0, null, "app"));

        // The validator reads the instance's virtual clock: a proof 61 virtual seconds old is out of its window.
        var stale = wire.Prove("device-1-0");
        clock.NowMs += 61_000;
        Assert.Equal("invalid_dpop_proof", wire.Check(0, stale, "app").Error);
        Assert.Equal(2, wire.Refusals);
        Assert.Equal(6, wire.Checks);
    }

    [Fact]
    public void A_binding_source_that_answers_one_binding_for_every_key_is_caught_by_the_oracle()
    {
        var result = RunWithBindingSource(new FixedBindingSource(new RefreshTokenBinding("one-key-for-all")));

        Assert.NotNull(result.Violation);
        Assert.Contains("requires BindingMismatch", result.Violation!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_binding_source_that_ignores_proofs_is_caught_by_the_oracle()
    {
        var result = RunWithBindingSource(new FixedBindingSource(RefreshTokenBinding.None));

        Assert.NotNull(result.Violation);
        Assert.Contains("requires BindingMismatch", result.Violation!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_replay_cache_that_forgets_is_caught_when_a_duplicated_request_replays_its_proof()
    {
        var spec = TestScenarios.Shipped("spa-tabs", "default-bound", users: 20, days: 1, seed: 4);
        spec.Scenario.Network.DuplicateRate = 0.02;
        var result = TestScenarios.Run(spec with
        {
            DPoPServices = services =>
            {
                services.RemoveAll<IDPoPReplayCache>();
                services.AddSingleton<IDPoPReplayCache>(new ForgetfulReplayCache());
            },
        });

        Assert.NotNull(result.Violation);
        Assert.Contains("a replayed DPoP proof was accepted", result.Violation!.ToString(), StringComparison.Ordinal);
    }

    private static RunResult RunWithBindingSource(IRefreshTokenBindingSource source) =>
        TestScenarios.Run(TestScenarios.Shipped("stolen-cookie", "default-bound", users: 60, days: 2) with
        {
            DPoPServices = services =>
            {
                services.RemoveAll<IRefreshTokenBindingSource>();
                services.AddSingleton(source);
            },
        });

    private sealed class ForgetfulReplayCache : IDPoPReplayCache
    {
        public ValueTask<bool> TryAddAsync(UInt128 proofKey, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(true);
    }

    private sealed class FixedBindingSource(RefreshTokenBinding binding) : IRefreshTokenBindingSource
    {
        public ValueTask<RefreshTokenBinding> GetBindingAsync(HttpContext context, ClientRegistration client, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(binding);
    }
}
