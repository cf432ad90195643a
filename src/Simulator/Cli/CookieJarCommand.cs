using System.Globalization;
using Simulator.Simulation;
using Spectre.Console;

namespace Simulator.Cli;

/// <summary>
/// <c>cookie-jar</c>: the browser scenario's own policies with the refresh token in a cookie jar (answers applied in
/// arrival order, so a slow grace replay can put an older token back over a newer one) against a client that keeps
/// the newest generation, each with no tab coordinating and with every browser single-flight across its tabs.
/// </summary>
internal static class CookieJarCommand
{
    public static int Run(CliOptions options, TextWriter output)
    {
        var basis = SimulatorCommand.ScenarioFor(options with { Peers = false });
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Cookie jar: {basis.Name}, {basis.Population.Users:N0} users, {basis.DurationDays:0.###} days, seed {options.Seed}, store {options.Store.Kind}"));
        output.WriteLine($"replay: {SimulatorCommand.ReplayPrefix} cookie-jar --scenario {options.Scenario} --users {basis.Population.Users} --duration {basis.DurationDays.ToString("0.#########", CultureInfo.InvariantCulture)}d --seed {options.Seed} --store {options.Store}");
        var table = new Table().Border(TableBorder.Minimal);
        foreach (var header in new[] { "policy", "tabs", "token kept", "false logouts\n/1k user-days", "cookie\nrollbacks", "grace\nreplays", "reuse\ndetections" })
        {
            table.AddColumn(header is "policy" or "tabs" or "token kept" ? new TableColumn(header) : new TableColumn(header).RightAligned());
        }

        (double SingleFlight, string Store)[] variants = [(0.0, "cookieJar"), (0.0, "newest"), (1.0, "cookieJar"), (1.0, "newest")];
        var results = new List<(string Tabs, string Store, Reports.ComparisonReport Report)>();
        var progress = new RunProgress();
        Terminal.WithProgress("cookie jar", progress, !options.Quiet, () =>
        {
            foreach (var (singleFlight, store) in variants)
            {
                var scenario = basis.Clone();
                scenario.Population.SingleFlightShare = singleFlight;
                scenario.Population.TokenStore = store;
                var (report, _) = SimulationRunner.RunComparison(scenario, scenario.Name, options.Seed, options.Store, Stores.Sabotage.None, RunFilter.None, progress);
                results.Add((singleFlight == 0 ? "uncoordinated" : "single-flight", store == "cookieJar" ? "cookie jar (arrival order)" : "newest generation", report));
            }

            return 0;
        });

        foreach (var policy in basis.Policies.Select(p => p.Name))
        {
            foreach (var (tabs, store, report) in results)
            {
                var row = report.Policies.Single(p => p.Policy == policy);
                table.AddRow(Markup.Escape(policy), tabs, store, row.FalseLogoutsPer1000UserDays.ToString("0.00", CultureInfo.InvariantCulture),
                    row.CookieRollbacks.ToString("N0", CultureInfo.InvariantCulture), row.GraceReplays.ToString("N0", CultureInfo.InvariantCulture), row.ReuseDetections.ToString("N0", CultureInfo.InvariantCulture));
            }
        }

        Terminal.For(output).Write(table);
        return 0;
    }
}
