using System.Globalization;
using Simulator.Reports;
using Simulator.Simulation;

namespace Simulator.Cli;

/// <summary>Prints a swarm: each seed draws its own small world (<see cref="RandomWorld"/>), the seeds run in
/// parallel on every core (<see cref="SimulationRunner.RunSwarm"/>), and every failing seed is reported with its
/// replay command.</summary>
internal static class SwarmCommand
{
    public static int Run(CliOptions options, TextWriter output)
    {
        var count = options.Seeds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"swarm: {count} seeds from {options.Seed}, store {options.Store.Kind}, {Environment.ProcessorCount} cores"));
        var progress = new RunProgress();
        var swarm = Terminal.WithProgress("swarm", progress, !options.Quiet, () => SimulationRunner.RunSwarm(options.Seed, count, options.Store, options.Sabotage, progress));

        var wall = swarm.Wall.TotalSeconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count} seeds, {swarm.Failures.Count} failing; {swarm.Requests:N0} requests in {wall:0.00} s wall: {swarm.Requests / Math.Max(wall, 1e-9):N0} requests/s"));
        output.WriteLine("outcomes: " + string.Join(", ", Enum.GetValues<RotationEngine.RotationOutcome>().Select(o => string.Create(CultureInfo.InvariantCulture, $"{o} {swarm.Outcomes[(int)o]:N0}"))));
        var never = PolicyReport.RarePaths.Where(p => swarm.Outcomes[(int)p] == 0).ToList();
        output.WriteLine(never.Count == 0 ? "every rare path was exercised" : "never exercised: " + string.Join(", ", never));
        foreach (var failure in swarm.Failures)
        {
            output.WriteLine($"FAILED seed {failure.Spec.Seed}: {failure.Violation}");
            output.WriteLine($"  replay: {SimulatorCommand.ReplayPrefix} {failure.Spec.ToArguments()} --store {options.Store}");
        }

        if (swarm.Failures.Count > 0)
        {
            SimulatorCommand.ReportViolation(swarm.Failures[0], options.Store, output);
        }

        return swarm.Failures.Count == 0 ? 0 : 1;
    }
}
