using System.Collections.Concurrent;
using System.Globalization;
using Simulator.Core;
using Simulator.Reports;
using Simulator.Scenarios;
using Simulator.Simulation;
using Simulator.Stores;

namespace Simulator.Cli;

/// <summary>
/// Swarm testing: each seed draws its own small world (counts, rates, latencies, faults, policy), so that a
/// batch of seeds explores many combinations; the seeds run in parallel on every core and every failing seed
/// is reported with its replay command.
/// </summary>
internal static class SwarmCommand
{
    private static readonly double[] GraceWindows = [0, 0.5, 2, 10, 30, 120];
    private static readonly double[] TokenLifetimesHours = [0.25, 2, 12, 48, 336];
    private static readonly double[] FamilyLifetimesDays = [0.3, 1, 3, 90];

    public static RunSpec SpecFor(ulong seed, Sabotage sabotage)
    {
        var rng = Prng.ForStream(seed, 100, 0);
        double Pick(double[] values) => values[rng.Next(values.Length)];
        var scenario = new Scenario
        {
            Name = "fuzz",
            Description = "parameters drawn from the seed",
            DurationDays = 0.25 + rng.NextDouble() * 2,
            Population = new PopulationSettings
            {
                Users = (int)rng.Between(2, 30),
                ClientsPerUserMin = 1,
                ClientsPerUserMax = (int)rng.Between(1, 3),
                ViewsPerClientMin = 1,
                ViewsPerClientMax = (int)rng.Between(1, 5),
                SingleFlightShare = rng.NextDouble(),
                AccessTokenLifetimeSeconds = rng.Between(15, 900),
                RefreshJitterMs = rng.Between(0, 3000),
                SessionHoursMin = 0.1,
                SessionHoursMax = 0.2 + rng.NextDouble() * 6,
                IdleHoursMin = 0,
                IdleHoursMax = rng.NextDouble() * 30,
                ClientTimeoutMs = rng.Between(300, 8000),
                RetryDelayMs = rng.Between(50, 5000),
                ReloginDelaySeconds = rng.Between(1, 300),
            },
            Network = new NetworkSettings
            {
                LatencyMedianMs = rng.Between(1, 400),
                LatencySigma = rng.NextDouble(),
                RequestLossRate = rng.NextDouble() * 0.1,
                ResponseLossRate = rng.NextDouble() * 0.15,
                DuplicateRate = rng.NextDouble() * 0.1,
                ReorderRate = rng.NextDouble() * 0.2,
                ReorderDelayMs = rng.Between(0, 5000),
            },
            Attackers = new AttackerSettings
            {
                TheftsPerThousandUserDays = rng.Between(0, 800),
                Strategies = new(StringComparer.OrdinalIgnoreCase) { ["immediate"] = rng.NextDouble(), ["delayed"] = rng.NextDouble(), ["repeated"] = rng.NextDouble(), ["idleVictim"] = rng.NextDouble() },
                DelayHoursMax = 0.1 + rng.NextDouble() * 12,
                RepeatCount = (int)rng.Between(1, 10),
                RepeatIntervalSeconds = rng.Between(1, 60),
                GiveUpHours = rng.Between(1, 72),
                ForgeryShare = rng.NextDouble() * 0.2,
            },
            Servers = new ServerSettings
            {
                Instances = (int)rng.Between(1, 3),
                MaxClockOffsetMs = rng.Chance(0.5) ? rng.Between(0, 5000) : 0,
                RestartsPerDay = rng.Chance(0.5) ? rng.Between(0, 24) : 0,
            },
        };
        var policy = new PolicySettings
        {
            Name = "drawn",
            GraceWindowSeconds = Pick(GraceWindows),
            GraceDepth = (int)rng.Between(1, 3),
            GraceMaxReplays = rng.Chance(0.5) ? null : (int)rng.Between(1, 3),
            Binding = rng.Chance(0.3),
            BindingMismatchRevokes = rng.Chance(0.7),
            TokenLifetimeHours = Pick(TokenLifetimesHours),
            FamilyLifetimeDays = Pick(FamilyLifetimesDays),
        };
        // A client that always times out before any answer only loops: keep timeouts above the usual latency.
        scenario.Population.ClientTimeoutMs += 5 * scenario.Network.LatencyMedianMs;
        scenario.Policies = [policy];
        scenario.Validate();
        return new RunSpec { Scenario = scenario, Policy = policy, Seed = seed, Sabotage = sabotage };
    }

    public static string Describe(RunSpec spec)
    {
        var s = spec.Scenario;
        return string.Create(CultureInfo.InvariantCulture,
            $"{s.Population.Users} users, {s.DurationDays:0.00} days, {s.Servers.Instances} instance(s) (offset ≤ {s.Servers.MaxClockOffsetMs} ms, {s.Servers.RestartsPerDay} restarts/day), loss {s.Network.RequestLossRate:P1}/{s.Network.ResponseLossRate:P1}, dup {s.Network.DuplicateRate:P1}, thefts {s.Attackers.TheftsPerThousandUserDays}/1k user-days; policy {spec.Policy.Describe()}, token lifetime {spec.Policy.TokenLifetimeHours} h");
    }

    public static RunResult RunOne(RunSpec spec, StoreChoice store)
    {
        using var stores = StoreProviders.Create(store, spec.Sabotage, string.Create(CultureInfo.InvariantCulture, $"{spec.Scenario.Name}-{spec.Policy.Name}-{spec.Seed}-{Environment.CurrentManagedThreadId}"));
        using var simulation = new DeterministicSimulation(spec, stores);
        return simulation.Run();
    }

    public static int Run(CliOptions options, TextWriter output)
    {
        var count = options.Seeds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"swarm: {count} seeds from {options.Seed}, store {options.Store.Kind}, {Environment.ProcessorCount} cores"));
        var failures = new ConcurrentBag<RunResult>();
        var outcomes = new long[Enum.GetValues<RotationEngine.RotationOutcome>().Length];
        long requests = 0;
        var done = 0;
        var started = TimeProvider.System.GetTimestamp();
        using (new ProgressBar("swarm", () => (double)Volatile.Read(ref done) / count, !options.Quiet))
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            {
                var spec = SpecFor(options.Seed + (ulong)i, options.Sabotage);
                var result = RunOne(spec, options.Store);
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
        }

        var wall = TimeProvider.System.GetElapsedTime(started).TotalSeconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count} seeds, {failures.Count} failing; {requests:N0} requests in {wall:0.00} s wall: {requests / Math.Max(wall, 1e-9):N0} requests/s"));
        output.WriteLine("outcomes: " + string.Join(", ", Enum.GetValues<RotationEngine.RotationOutcome>().Select(o => string.Create(CultureInfo.InvariantCulture, $"{o} {outcomes[(int)o]:N0}"))));
        var never = PolicyReport.RarePaths.Where(p => outcomes[(int)p] == 0).ToList();
        output.WriteLine(never.Count == 0 ? "every rare path was exercised" : "never exercised: " + string.Join(", ", never));
        var sorted = failures.OrderBy(f => f.Spec.Seed).ToList();
        foreach (var failure in sorted)
        {
            output.WriteLine($"FAILED seed {failure.Spec.Seed}: {failure.Violation}");
            output.WriteLine($"  replay: {SimulatorCommand.ReplayPrefix} {failure.Spec.ToArguments()} --store {options.Store}");
        }

        if (sorted.Count > 0)
        {
            SimulatorCommand.ReportViolation(sorted[0], options.Store, output);
        }

        return sorted.Count == 0 ? 0 : 1;
    }
}
