using System.Text.Json;
using Simulator.Advisor;
using Simulator.Cli;
using Simulator.Simulation;
using Simulator.Stores;

namespace Simulator.Tests;

/// <summary>The advisor on a small world: at least 100 policies, one seed one front, and a recommendation that holds
/// when its policy is run again on its own.</summary>
public sealed class AdvisorTests
{
    private static CliOptions Small(double target) => CliOptions.Parse(["advise", "--users", "25", "--duration", "8h", "--max-false-logouts", target.ToString(System.Globalization.CultureInfo.InvariantCulture), "--quiet", "--no-files"]);

    [Fact]
    public void The_grid_has_more_than_a_hundred_distinct_policies()
    {
        var grid = PolicyGrid.For(new Scenarios.PolicySettings());

        Assert.True(grid.Count >= 100, $"{grid.Count} policies");
        Assert.Equal(grid.Count, grid.Select(p => p.Describe()).Distinct(StringComparer.Ordinal).Count());
        Assert.Contains(grid, p => p.GraceWindowSeconds == 60 && p.GraceDepth == 3 && p.GraceMaxReplays == 1 && p.Binding);
    }

    [Fact]
    public void Same_seed_same_front_and_the_recommendation_meets_the_target_on_a_re_run()
    {
        var options = Small(target: 200);

        var first = AdviseCommand.Advise(options, progress: false);
        var second = AdviseCommand.Advise(options, progress: false);

        Assert.Equal(Json(first.Front), Json(second.Front));
        Assert.Equal(Json(first.Points), Json(second.Points));
        Assert.NotEmpty(first.Front);
        Assert.Contains("advise --scenario spa-tabs --users 25 --duration 0.333333333d --seed 1 --max-false-logouts 200", first.Replay, StringComparison.Ordinal);
        Assert.All(first.Front, p => Assert.DoesNotContain(first.Points, q => q.Dominates(p)));

        var recommended = first.RecommendedUnbound ?? throw new InvalidOperationException("no unbound policy meets the target");
        Assert.True(recommended.FalseLogoutsPer1000UserDays <= 200);
        Assert.DoesNotContain(first.Points, p => !p.Binding && p.GraceWindowSeconds < recommended.GraceWindowSeconds && p.FalseLogoutsPer1000UserDays <= 200);

        var scenario = SimulatorCommand.ScenarioFor(options with { Peers = false, Policy = null });
        scenario.Policies = [PolicyGrid.For(scenario.Policies.Single(p => p.Name == "default")).Single(p => p.Name == recommended.Policy)];
        var (rerun, _) = SimulationRunner.RunComparison(scenario, scenario.Name, options.Seed, StoreChoice.Memory, Sabotage.None, RunFilter.None);
        Assert.True(rerun.Policies[0].FalseLogoutsPer1000UserDays <= 200);
        Assert.Equal(recommended.FalseLogoutsPer1000UserDays, rerun.Policies[0].FalseLogoutsPer1000UserDays);
    }

    [Fact]
    public void The_front_keeps_exactly_the_undominated_points()
    {
        TradeOffPoint P(string name, double logouts, double access, double? delay) => new(name, "", 0, 1, null, false, logouts, access, delay);
        var points = new[] { P("a", 10, 50, 60), P("b", 5, 80, 60), P("c", 10, 60, 60), P("d", 20, 10, null), P("e", 5, 80, 30) };

        var front = ParetoFront.Of(points);

        Assert.Equal(["e", "a", "d"], front.Select(p => p.Policy));
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);
}
