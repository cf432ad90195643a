using System.Globalization;
using Simulator.Reports;
using Simulator.Scenarios;
using Simulator.Simulation;
using Simulator.Stores;

namespace Simulator.Cli;

/// <summary>Dispatches the command line to a mode and prints its results.</summary>
internal static class SimulatorCommand
{
    public const string ReplayPrefix = "dotnet run --project src/Simulator -c Release --";

    public static async Task<int> RunAsync(CliOptions options, TextWriter output)
    {
        switch (options.Command)
        {
            case "list":
                foreach (var name in Scenario.BuiltInNames)
                {
                    var scenario = Scenario.Load(name);
                    output.WriteLine($"{name,-28} {scenario.Description}");
                }

                return 0;
            case "stress":
                return await Stress.StressCommand.RunAsync(options, output);
            case "bench":
                return BenchCommand.Run(options, output);
            case "advise":
                return AdviseCommand.Run(options, output);
            case "cookie-jar":
                return CookieJarCommand.Run(options, output);
        }

        if (options.Seeds > 0)
        {
            return SwarmCommand.Run(options, output);
        }

        return options.Fuzz ? RunFuzz(options, output) : RunComparison(options, output);
    }

    /// <summary>The scenario the options name, with their overrides, and the peer strategies' rows after its own
    /// policies (unless <c>--no-peers</c> or the scenario lists peers itself).</summary>
    public static Scenario ScenarioFor(CliOptions options)
    {
        var scenario = Scenario.Load(options.Scenario).Clone();
        scenario.DurationDays = options.DurationDays ?? scenario.DurationDays;
        scenario.Population.Users = options.Users ?? scenario.Population.Users;
        if (options.Peers && scenario.Policies.All(p => p.Peer is null))
        {
            var basis = scenario.Policies.FirstOrDefault(p => p.Name == "default") ?? scenario.Policies[0];
            scenario.Policies.AddRange(Peers.PeerModel.Standard(basis).Where(peer => scenario.Policies.All(p => p.Name != peer.Name)));
        }

        if (options.Policy is not null)
        {
            scenario.Policies = scenario.Policies.Where(p => p.Name == options.Policy).ToList();
            if (scenario.Policies.Count == 0)
            {
                throw new ArgumentException($"Scenario '{scenario.Name}' has no policy '{options.Policy}'.");
            }
        }

        scenario.Validate();
        return scenario;
    }

    private static int RunComparison(CliOptions options, TextWriter output)
    {
        var scenario = ScenarioFor(options);
        var argument = File.Exists(options.Scenario) ? options.Scenario : scenario.Name;
        TrafficSummary? traffic = null;
        if (options.Traffic is not null)
        {
            traffic = TrafficSummary.Check(options.Traffic);
            scenario = TrafficScenario(scenario, traffic);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Traffic {Path.GetFileName(traffic.File)}: {traffic.Lines:N0} refreshes of {traffic.Sessions:N0} sessions over {(traffic.LastMs - traffic.FirstMs) / 3_600_000.0:0.#} h, thefts after {options.TheftRate:P2} of refreshes; network latency, servers and thief strategies of {scenario.Name}"));
        }

        output.WriteLine($"Scenario {scenario.Name}: {scenario.Description}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seed {options.Seed}, store {options.Store.Kind}, {scenario.Population.Users:N0} users, {scenario.DurationDays:0.###} days, {scenario.Policies.Count} policies, {Environment.ProcessorCount} cores"));
        if (options.Sabotage != Sabotage.None)
        {
            output.WriteLine($"sabotage: {SabotageNames.Format(options.Sabotage)} (a deliberately broken store)");
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"replay: {ReplayPrefix} --scenario {argument} --seed {options.Seed} --users {scenario.Population.Users} --duration {scenario.DurationDays.ToString("0.#########", CultureInfo.InvariantCulture)}d --store {options.Store}{(options.Sabotage == Sabotage.None ? "" : " --sabotage " + SabotageNames.Format(options.Sabotage))}{options.Filter.ToArguments()}{(traffic is null ? "" : string.Create(CultureInfo.InvariantCulture, $" --traffic {traffic.File} --theft-rate {options.TheftRate}"))}"));

        var progress = new RunProgress();
        var (report, runs) = Terminal.WithProgress($"{scenario.Name} seed {options.Seed}", progress, !options.Quiet, () =>
            SimulationRunner.RunComparison(scenario, argument, options.Seed, options.Store, options.Sabotage, options.Filter, progress, options.Trace || options.HistoryDirectory is not null, traffic, options.TheftRate));
        output.WriteLine();
        Terminal.For(output).Write(ReportWriter.Table(report));
        output.WriteLine();
        foreach (var run in runs)
        {
            var policy = PolicyReport.From(run);
            var never = policy.NeverExercised.Count == 0 ? "all rare paths exercised" : "never exercised: " + string.Join(", ", policy.NeverExercised);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{run.Spec.Policy.Name}: history {run.HistoryCount:N0} entries, hash {run.HashText}; grace replays {policy.GraceReplays:N0}, reuse detections {policy.ReuseDetections:N0}, expiries {policy.Outcomes["Expired"]:N0}, binding mismatches {policy.Outcomes["BindingMismatch"]:N0}, cookie rollbacks {policy.CookieRollbacks:N0}{DPoPSummary(run.Metrics)}; {never}"));
        }

        if (options.Trace)
        {
            foreach (var run in runs)
            {
                output.WriteLine($"history of {run.Spec.Policy.Name}:");
                foreach (var entry in run.History)
                {
                    output.WriteLine("  " + entry);
                }
            }
        }

        if (options.HistoryDirectory is not null)
        {
            Directory.CreateDirectory(options.HistoryDirectory);
            foreach (var run in runs)
            {
                var path = Path.Combine(options.HistoryDirectory, string.Create(CultureInfo.InvariantCulture, $"{scenario.Name}-{run.Spec.Policy.Name}-seed-{options.Seed}.jsonl"));
                using var writer = new StreamWriter(path);
                foreach (var entry in run.History)
                {
                    writer.WriteLine(entry.ToJsonLine());
                }

                output.WriteLine($"history: {path}");
            }
        }

        if (options.WriteFiles)
        {
            var directory = Path.Combine(options.OutputDirectory, traffic is null ? scenario.Name : "traffic-" + Path.GetFileNameWithoutExtension(traffic.File));
            Directory.CreateDirectory(directory);
            var stem = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"seed-{options.Seed}"));
            File.WriteAllText(stem + ".json", ReportWriter.ToJson(report));
            File.WriteAllText(stem + ".csv", ReportWriter.ToCsv(report));
            File.WriteAllText(stem + ".svg", TradeOffChart.Render(report));
            File.WriteAllText(stem + ".html", HtmlReport.Render(report, null));
            output.WriteLine($"reports: {stem}.json, {stem}.csv, {stem}.svg");
            output.WriteLine($"report to look at: {Path.GetFullPath(stem + ".html")}");
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"simulated {report.ServerRequests:N0} requests in {report.WallSeconds:0.00} s wall: {report.RequestsPerSecond:N0} requests/s ({runs.Sum(r => r.RequestsPerSecond) / Math.Max(1, runs.Count):N0} per run on one core)"));

        var failures = runs.Where(r => r.Violation is not null).ToList();
        foreach (var failure in failures)
        {
            ReportViolation(failure, options.Store, output);
        }

        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>The scenario a traffic log replays in: its latency, servers and thief strategies, but the log decides
    /// who refreshes when and which responses are lost; thefts come with the log's lines (<c>--theft-rate</c>).</summary>
    public static Scenario TrafficScenario(Scenario scenario, TrafficSummary traffic)
    {
        var copy = scenario.Clone();
        copy.Network.RequestLossRate = 0;
        copy.Network.ResponseLossRate = 0;
        copy.Network.DuplicateRate = 0;
        copy.Attackers.TheftsPerThousandUserDays = 0;
        copy.Population.Users = (int)Math.Min(int.MaxValue, traffic.Sessions);
        copy.DurationDays = Math.Max(1.0 / 24, (traffic.LastMs - traffic.FirstMs) / 86_400_000.0);
        copy.Validate();
        return copy;
    }

    private static int RunFuzz(CliOptions options, TextWriter output)
    {
        var spec = RandomWorld.SpecFor(options.Seed, options.Sabotage) with { Filter = options.Filter, RecordFullHistory = options.Trace };
        output.WriteLine($"fuzz seed {options.Seed}: {RandomWorld.Describe(spec)}");
        var result = SimulationRunner.RunOne(spec, options.Store);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"history {result.HistoryCount:N0} entries, hash {result.HashText}, {result.Metrics.ServerRequests:N0} requests"));
        output.WriteLine("outcomes: " + string.Join(", ", Enum.GetValues<RotationEngine.RotationOutcome>().Select(o => string.Create(CultureInfo.InvariantCulture, $"{o} {result.Metrics.Outcomes[(int)o]:N0}"))));
        if (options.Trace)
        {
            foreach (var entry in result.History)
            {
                output.WriteLine("  " + entry);
            }
        }

        if (result.Violation is null)
        {
            output.WriteLine("no invariant violated");
            return 0;
        }

        ReportViolation(result, options.Store, output);
        return 1;
    }

    /// <summary>Prints a violation: seed, options, invariant, the shrunk trace and the replay line.</summary>
    public static void ReportViolation(RunResult failure, StoreChoice store, TextWriter output)
    {
        var violation = failure.Violation!;
        output.WriteLine();
        output.WriteLine($"INVARIANT VIOLATED with seed {failure.Spec.Seed}, policy {failure.Spec.Policy.Name} at {Core.VirtualClock.Format(violation.Time)}");
        output.WriteLine($"  {violation}");
        output.WriteLine($"  options: {failure.Spec.ToArguments()} --store {store}");
        var shrinker = new Shrinker(spec => SimulationRunner.RunOne(spec, store));
        var (shrunk, result) = shrinker.Shrink(failure.Spec, violation);
        var trace = Shrinker.Trace(result);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  shrunk in {shrinker.Runs} re-runs to {shrunk.Filter.OnlyUsers?.Count.ToString(CultureInfo.InvariantCulture) ?? "all"} users, {result.HistoryCount} history entries; still: {result.Violation?.ToString() ?? "(no longer fails)"}"));
        output.WriteLine($"  trace ({trace.Count} entries):");
        foreach (var entry in trace)
        {
            output.WriteLine("    " + entry);
        }

        output.WriteLine($"  replay: {ReplayPrefix} {shrunk.ToArguments()} --store {store} --trace");
    }

    /// <summary>A bound run's DPoP counts (empty for an unbound one, whose line is unchanged).</summary>
    private static string DPoPSummary(RunMetrics metrics) => metrics.DPoPChecks == 0 ? "" : string.Create(CultureInfo.InvariantCulture,
        $"; DPoP proofs {metrics.DPoPProofs:N0}, checked {metrics.DPoPChecks:N0}, refused {metrics.DPoPRefusals:N0} (replays), keyless thieves {metrics.KeylessThieves:N0}");

}
