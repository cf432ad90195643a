using Simulator.Cli;
using Simulator.Simulation;
using Simulator.Stores;

namespace Simulator.Tests;

/// <summary>The oracle must catch a deliberately broken store, and the shrinker must hand back a short trace
/// that still fails and replays from its command line.</summary>
public sealed class OracleTests
{
    [Fact]
    public void A_correct_store_breaks_no_invariant_across_the_shipped_scenarios()
    {
        foreach (var (name, policy) in new[] { ("spa-tabs", "strict"), ("mobile-flaky", "grace-30s-bound"), ("stolen-cookie", "grace-10s-once"), ("lost-response-storm", "default"), ("multi-instance-clock-skew", "grace-2s") })
        {
            var result = TestScenarios.Run(TestScenarios.Shipped(name, policy, users: 25, days: 2));
            Assert.Null(result.Violation);
            Assert.True(result.Metrics.ServerRequests > 100, $"{name} made too few requests to prove anything");
        }
    }

    [Fact]
    public void A_store_that_never_revokes_breaks_revocation_finality_and_shrinks_to_a_replayable_trace()
    {
        var failing = TestScenarios.Shipped("spa-tabs", "strict", users: 40, days: 1, sabotage: Sabotage.NeverRevoke);
        var result = TestScenarios.Run(failing);

        Assert.NotNull(result.Violation);
        Assert.Equal(2, result.Violation.Invariant);

        var shrinker = new Shrinker(TestScenarios.Run);
        var (shrunk, shrunkResult) = shrinker.Shrink(failing, result.Violation);
        Assert.Equal(2, shrunkResult.Violation?.Invariant);
        Assert.Equal(1, shrunk.Filter.OnlyUsers?.Count);
        Assert.True(shrunk.Filter.NoAttackers && shrunk.Filter.NoNetworkFaults, "faults that do not matter must be dropped");
        Assert.True(shrunkResult.HistoryCount < result.HistoryCount / 10, $"{shrunkResult.HistoryCount} entries is not much shorter than {result.HistoryCount}");

        var trace = Shrinker.Trace(shrunkResult);
        Assert.Contains(trace, e => e.Type == EntryType.Serve && e.Outcome == RotationEngine.RotationOutcome.ReuseDetected);

        // The printed replay line parses back to the same failing run.
        var replay = CliOptions.Parse(shrunk.ToArguments().Split(' '));
        var replayed = TestScenarios.Run(SpecFromCommandLine(replay));
        Assert.Equal(shrunkResult.Violation!.Detail, replayed.Violation?.Detail);
        Assert.Equal(shrunkResult.HashText, replayed.HashText);
    }

    [Fact]
    public void A_compare_and_swap_that_is_not_atomic_breaks_single_lineage()
    {
        var failing = TestScenarios.Shipped("spa-tabs", "default", users: 40, days: 1, sabotage: Sabotage.LostUpdate);
        var result = TestScenarios.Run(failing);

        Assert.NotNull(result.Violation);
        Assert.Equal(1, result.Violation.Invariant);
        var (shrunk, shrunkResult) = new Shrinker(TestScenarios.Run).Shrink(failing, result.Violation);
        Assert.Equal(1, shrunkResult.Violation?.Invariant);
        Assert.True(shrunk.Filter.OnlyUsers?.Count <= 2);
    }

    [Fact]
    public void Swarm_seeds_find_the_broken_store_too()
    {
        var failures = Enumerable.Range(1, 12)
            .Select(seed => TestScenarios.Run(RandomWorld.SpecFor((ulong)seed, Sabotage.NeverRevoke)))
            .Count(r => r.Violation is not null);

        Assert.True(failures > 0);
    }

    [Fact]
    public void Swarm_seeds_pass_on_a_correct_store()
    {
        foreach (var seed in Enumerable.Range(100, 12))
        {
            var result = TestScenarios.Run(RandomWorld.SpecFor((ulong)seed, Sabotage.None));
            Assert.True(result.Violation is null, $"seed {seed}: {result.Violation}");
        }
    }

    private static RunSpec SpecFromCommandLine(CliOptions options) =>
        TestScenarios.Spec(SimulatorCommand.ScenarioFor(options), options.Seed, options.Sabotage) with { Filter = options.Filter, ScenarioArgument = options.Scenario };
}
