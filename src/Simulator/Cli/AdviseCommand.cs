using System.Globalization;
using System.Text.Json;
using Simulator.Advisor;
using Simulator.Reports;
using Simulator.Simulation;
using Spectre.Console;

namespace Simulator.Cli;

/// <summary>
/// <c>advise</c>: runs a scenario (or a traffic file) under every policy of <see cref="PolicyGrid"/> in parallel on
/// every core, prints the Pareto front of false logouts per 1,000 user-days against thief access per theft and
/// detection delay, and recommends the smallest grace window meeting <c>--max-false-logouts</c> (with and without
/// binding). Deterministic: the seed decides every run, so the same seed prints the same front.
/// </summary>
internal static class AdviseCommand
{
    /// <summary>The advisor's world when the command line does not size it: 200 users for 2 days of the scenario
    /// (two thirds of the default command's 300, to keep 110 policies within two minutes on two cores).</summary>
    public const int DefaultUsers = 200;

    public static int Run(CliOptions options, TextWriter output)
    {
        var report = Advise(options, progress: !options.Quiet);
        Print(report, output);
        if (options.WriteFiles)
        {
            var directory = Path.Combine(options.OutputDirectory, "advise");
            Directory.CreateDirectory(directory);
            var stem = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{report.Scenario}-seed-{report.Seed}"));
            File.WriteAllText(stem + ".json", JsonSerializer.Serialize(report, ReportWriter.JsonOptions));
            File.WriteAllText(stem + ".html", HtmlReport.Render(null, report));
            output.WriteLine($"reports: {stem}.json, {stem}.html");
        }

        return 0;
    }

    public static AdviceReport Advise(CliOptions options, bool progress)
    {
        var scenario = SimulatorCommand.ScenarioFor(options with { Peers = false, Policy = null, Users = options.Users ?? DefaultUsers });
        var basis = scenario.Policies.FirstOrDefault(p => p.Name == "default") ?? scenario.Policies[0];
        scenario.Policies = PolicyGrid.For(basis);
        scenario.Validate();
        TrafficSummary? traffic = null;
        if (options.Traffic is not null)
        {
            traffic = TrafficSummary.Check(options.Traffic);
            scenario = SimulatorCommand.TrafficScenario(scenario, traffic);
        }

        var runProgress = new RunProgress();
        var (comparison, _) = Terminal.WithProgress($"advise {scenario.Name}: {scenario.Policies.Count} policies", runProgress, progress, () =>
            SimulationRunner.RunComparison(scenario, scenario.Name, options.Seed, options.Store, Stores.Sabotage.None, RunFilter.None, runProgress, traffic: traffic, theftRate: options.TheftRate, modelBinding: true));
        var points = comparison.Policies.Select((p, i) => ParetoFront.Point(p, scenario.Policies[i])).ToList();
        var replay = string.Create(CultureInfo.InvariantCulture,
            $"{SimulatorCommand.ReplayPrefix} advise --scenario {options.Scenario} --users {scenario.Population.Users} --duration {scenario.DurationDays.ToString("0.#########", CultureInfo.InvariantCulture)}d --seed {options.Seed} --max-false-logouts {options.MaxFalseLogouts} --store {options.Store}{(traffic is null ? "" : $" --traffic {traffic.File} --theft-rate {options.TheftRate}")}");
        return new AdviceReport(
            scenario.Name,
            comparison.Users,
            comparison.DurationDays,
            options.Seed,
            options.MaxFalseLogouts,
            points,
            ParetoFront.Of(points),
            ParetoFront.Recommend(points, options.MaxFalseLogouts),
            ParetoFront.Recommend(points, options.MaxFalseLogouts, binding: false),
            replay,
            comparison.WallSeconds);
    }

    private static void Print(AdviceReport report, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Advisor: {report.Scenario}, {report.Users:N0} users, {report.DurationDays:0.###} days, seed {report.Seed}, {report.Points.Count} policies (grace {string.Join("/", PolicyGrid.GraceWindowsSeconds)} s × depth 1-3 × max replays any/1/2 × binding), {Environment.ProcessorCount} cores"));
        output.WriteLine("replay: " + report.Replay);
        output.WriteLine();
        var table = new Table().Border(TableBorder.Minimal).Title("Pareto front (lower is better on every axis)");
        table.AddColumn("policy");
        table.AddColumn("settings");
        table.AddColumn(new TableColumn("false logouts\n/1k user-days").RightAligned());
        table.AddColumn(new TableColumn("thief access\nper theft").RightAligned());
        table.AddColumn(new TableColumn("detection\ndelay p50").RightAligned());
        foreach (var point in report.Front)
        {
            table.AddRow(
                Markup.Escape(point.Policy),
                Markup.Escape(point.Settings),
                point.FalseLogoutsPer1000UserDays.ToString("0.00", CultureInfo.InvariantCulture),
                point.ThiefAccessMinutesPerTheft.ToString("0.0", CultureInfo.InvariantCulture) + " min",
                ReportWriter.Seconds(point.DetectionDelayMedianSeconds));
        }

        Terminal.For(output).Write(table);
        output.WriteLine();
        output.WriteLine(Recommendation("recommended", report.Recommended, report.MaxFalseLogoutsPer1000UserDays));
        output.WriteLine(Recommendation("recommended without binding", report.RecommendedUnbound, report.MaxFalseLogoutsPer1000UserDays));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{report.Points.Count} policies in {report.WallSeconds:0.0} s wall on {Environment.ProcessorCount} cores"));
    }

    private static string Recommendation(string label, TradeOffPoint? point, double target) => point is null
        ? string.Create(CultureInfo.InvariantCulture, $"{label}: no policy of the grid meets {target} false logouts per 1,000 user-days")
        : string.Create(CultureInfo.InvariantCulture,
            $"{label}: {point.Policy} ({point.Settings}): the smallest grace meeting {target} false logouts per 1,000 user-days, with {point.FalseLogoutsPer1000UserDays:0.00}; thief access {point.ThiefAccessMinutesPerTheft:0.0} min per theft, detection p50 {ReportWriter.Seconds(point.DetectionDelayMedianSeconds)}");
}
