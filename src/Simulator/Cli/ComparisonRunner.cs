using Simulator.Reports;
using Simulator.Scenarios;
using Simulator.Simulation;
using Simulator.Stores;

namespace Simulator.Cli;

/// <summary>Runs one scenario once per policy (in parallel: the runs share nothing) with one seed.</summary>
internal static class ComparisonRunner
{
    public static (ComparisonReport Report, IReadOnlyList<RunResult> Runs) Run(
        Scenario scenario, string? scenarioArgument, ulong seed, StoreChoice store, Sabotage sabotage, RunFilter filter, bool progress, bool recordFullHistory = false)
    {
        var specs = scenario.Policies.Select(policy => new RunSpec
        {
            Scenario = scenario,
            Policy = policy,
            Seed = seed,
            ScenarioArgument = scenarioArgument,
            Sabotage = sabotage,
            Filter = filter,
            RecordFullHistory = recordFullHistory,
        }).ToList();

        var simulations = new DeterministicSimulation?[specs.Count];
        var results = new RunResult[specs.Count];
        var started = TimeProvider.System.GetTimestamp();
        double Fraction() => simulations.Sum(s => s is null ? 0 : (double)s.ProgressMs / Math.Max(1, s.EndMs)) / specs.Count;
        using (new ProgressBar($"{scenario.Name} seed {seed}", Fraction, progress))
        {
            Parallel.For(0, specs.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            {
                using var stores = StoreProviders.Create(store, sabotage, $"{scenario.Name}-{specs[i].Policy.Name}-{seed}");
                using var simulation = new DeterministicSimulation(specs[i], stores);
                simulations[i] = simulation;
                results[i] = simulation.Run();
            });
        }

        var wall = TimeProvider.System.GetElapsedTime(started);
        var report = new ComparisonReport
        {
            Scenario = scenario.Name,
            Description = scenario.Description,
            Seed = seed,
            Store = store.Kind,
            DurationDays = results.Length == 0 ? 0 : results[0].SimulatedMs / 86_400_000.0,
            Users = filter.OnlyUsers?.Count ?? scenario.Population.Users,
            Options = specs.Count == 0 ? "" : specs[0].ToArguments(includePolicy: false) + $" --store {store}",
            Policies = results.Select(PolicyReport.From).ToList(),
            WallSeconds = wall.TotalSeconds,
            ServerRequests = results.Sum(r => r.Metrics.ServerRequests),
        };
        return (report, results);
    }
}
