using System.Collections.Concurrent;
using System.Globalization;
using RotationEngine;
using Simulator.Reports;
using Simulator.Scenarios;
using Simulator.Stores;

namespace Simulator.Simulation;

/// <summary>How far a batch of runs has come, for a progress display polled from another thread.</summary>
internal sealed class RunProgress
{
    private Func<double> _source = () => 0;

    /// <summary>Done share, 0 to 1.</summary>
    public double Fraction => Math.Clamp(_source(), 0, 1);

    internal void Track(Func<double> source) => _source = source;
}

/// <summary>A traffic file checked once before the runs: its lines, sessions and time span (Unix ms).</summary>
internal sealed record TrafficSummary(string File, long Lines, long Sessions, long FirstMs, long LastMs)
{
    /// <summary>Reads <paramref name="file"/> through (streaming), refusing it at its first bad line.</summary>
    public static TrafficSummary Check(string file)
    {
        using var reader = Traffic.TrafficReader.Open(file);
        var sessions = new HashSet<string>(StringComparer.Ordinal);
        long lines = 0, first = 0, last = 0;
        while (reader.TryRead(out var record))
        {
            if (lines++ == 0)
            {
                first = record.TimestampMs;
            }

            last = record.TimestampMs;
            sessions.Add(record.Session);
        }

        if (lines == 0)
        {
            throw new ArgumentException($"The traffic file '{file}' has no refresh lines.");
        }

        return new TrafficSummary(file, lines, sessions.Count, first, last);
    }
}

/// <summary>What a swarm of seeds produced.</summary>
internal sealed record SwarmResult(int Seeds, IReadOnlyList<RunResult> Failures, long Requests, long[] Outcomes, TimeSpan Wall);

/// <summary>
/// The one run loop every mode uses: one deterministic run on a fresh store, one scenario under each of its
/// policies (in parallel: the runs share nothing), or a swarm of random worlds on every core.
/// </summary>
internal static class SimulationRunner
{
    /// <summary>Runs <paramref name="spec"/> once on a fresh store of kind <paramref name="store"/>.</summary>
    public static RunResult RunOne(RunSpec spec, StoreChoice store)
    {
        using var stores = StoreProviders.Create(store, spec.Sabotage, string.Create(CultureInfo.InvariantCulture, $"{spec.Scenario.Name}-{spec.Policy.Name}-{spec.Seed}-{Environment.CurrentManagedThreadId}"));
        using var simulation = new DeterministicSimulation(spec, stores);
        return simulation.Run();
    }

    /// <summary>Runs a scenario once per policy with one seed and compares them.</summary>
    public static (ComparisonReport Report, IReadOnlyList<RunResult> Runs) RunComparison(
        Scenario scenario, string? scenarioArgument, ulong seed, StoreChoice store, Sabotage sabotage, RunFilter filter, RunProgress? progress = null, bool recordFullHistory = false, TrafficSummary? traffic = null, double theftRate = 0, bool modelBinding = false)
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
            TrafficFile = traffic?.File,
            TheftRate = theftRate,
            ModelBinding = modelBinding,
        }).ToList();

        var simulations = new DeterministicSimulation?[specs.Count];
        var results = new RunResult[specs.Count];
        var started = TimeProvider.System.GetTimestamp();
        var span = traffic is null ? 0 : Math.Max(1, traffic.LastMs - traffic.FirstMs);
        progress?.Track(() => simulations.Sum(s => s is null ? 0 : Math.Min(1, (double)s.ProgressMs / (traffic is null ? Math.Max(1, s.EndMs) : span))) / Math.Max(1, specs.Count));
        Parallel.For(0, specs.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            using var stores = StoreProviders.Create(store, sabotage, $"{scenario.Name}-{specs[i].Policy.Name}-{seed}");
            using var simulation = new DeterministicSimulation(specs[i], stores);
            simulations[i] = simulation;
            results[i] = simulation.Run();
        });

        var wall = TimeProvider.System.GetElapsedTime(started);
        var report = new ComparisonReport
        {
            Scenario = scenario.Name,
            Description = scenario.Description,
            Seed = seed,
            Store = store.Kind,
            DurationDays = results.Length == 0 ? 0 : results[0].SimulatedMs / 86_400_000.0,
            Users = (int?)traffic?.Sessions ?? filter.OnlyUsers?.Count ?? scenario.Population.Users,
            Options = specs.Count == 0 ? "" : specs[0].ToArguments(includePolicy: false) + $" --store {store}",
            Policies = results.Select(PolicyReport.From).ToList(),
            WallSeconds = wall.TotalSeconds,
            ServerRequests = results.Sum(r => r.Metrics.ServerRequests),
        };
        return (report, results);
    }

    /// <summary>Swarm testing: seeds <paramref name="firstSeed"/> … each draw a world (<see cref="RandomWorld"/>) and
    /// run on every core; the failing runs are returned ordered by seed.</summary>
    public static SwarmResult RunSwarm(ulong firstSeed, int count, StoreChoice store, Sabotage sabotage, RunProgress? progress = null)
    {
        var failures = new ConcurrentBag<RunResult>();
        var outcomes = new long[Enum.GetValues<RotationOutcome>().Length];
        long requests = 0;
        var done = 0;
        progress?.Track(() => (double)Volatile.Read(ref done) / count);
        var started = TimeProvider.System.GetTimestamp();
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var result = RunOne(RandomWorld.SpecFor(firstSeed + (ulong)i, sabotage), store);
            Interlocked.Add(ref requests, result.Metrics.ServerRequests);
            for (var o = 0; o < outcomes.Length; o++)
            {
                Interlocked.Add(ref outcomes[o], result.Metrics.Outcomes[o]);
            }

            if (result.Violation is not null)
            {
                failures.Add(result);
            }

            Interlocked.Increment(ref done);
        });

        return new SwarmResult(count, failures.OrderBy(f => f.Spec.Seed).ToList(), requests, outcomes, TimeProvider.System.GetElapsedTime(started));
    }
}
