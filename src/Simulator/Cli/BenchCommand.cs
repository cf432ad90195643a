using System.Globalization;
using RotationEngine;
using RotationEngine.Keys;
using RotationEngine.Storage;
using Simulator.Simulation;
using Simulator.Stores;

namespace Simulator.Cli;

/// <summary>
/// The speed goal in one command: the engine's own Rotate throughput on the in-memory store (one thread,
/// tight loop) against the simulator's simulated requests per second on one core (one policy of a scenario).
/// </summary>
internal static class BenchCommand
{
    public static int Run(CliOptions options, TextWriter output)
    {
        var scenario = SimulatorCommand.ScenarioFor(options);
        var policy = scenario.Policies.FirstOrDefault(p => p.Name == (options.Policy ?? "default")) ?? scenario.Policies[0];
        var spec = new RunSpec { Scenario = scenario, Policy = policy, Seed = options.Seed, ScenarioArgument = scenario.Name };

        // Interleave the two measurements (engine, simulator, engine, …) and compare medians, so that a burst of
        // load from other processes on the machine hits both alike.
        SimulationRunner.RunOne(spec, StoreChoice.Memory);
        var engineRates = new List<double>();
        var simulatorRates = new List<double>();
        long requests = 0;
        for (var round = 0; round < 3; round++)
        {
            engineRates.Add(EngineRotationsPerSecond(TimeSpan.FromSeconds(1.5)));
            var result = SimulationRunner.RunOne(spec, StoreChoice.Memory);
            simulatorRates.Add(result.RequestsPerSecond);
            requests = result.Metrics.ServerRequests;
        }

        var engine = Median(engineRates);
        var simulator = Median(simulatorRates);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"engine Rotate on the in-memory store, one thread: {engine:N0} rotations/s (median of 3)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"simulator, {scenario.Name} / {policy.Name} ({requests:N0} requests), one core: {simulator:N0} requests/s (median of 3)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio: {simulator / engine:0.00} (goal: at least 0.67)"));
        return 0;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    public static double EngineRotationsPerSecond(TimeSpan duration)
    {
        var store = new InMemoryFamilyStore();
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions(), new KeyRing([new ChainKey("bench", new byte[32])]));
        var tokens = new string[1024];
        for (var i = 0; i < tokens.Length; i++)
        {
            tokens[i] = engine.IssueAsync($"user-{i}", "bench").AsTask().GetAwaiter().GetResult().Token;
        }

        // Warm up, then measure.
        long count = 0;
        var started = TimeProvider.System.GetTimestamp();
        var warmUp = true;
        var warmUpTime = TimeSpan.FromSeconds(0.3);
        while (true)
        {
            for (var i = 0; i < tokens.Length; i++)
            {
                var pending = engine.RotateAsync(tokens[i], "bench");
                tokens[i] = (pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult()).Token!;
            }

            count += tokens.Length;
            var elapsed = TimeProvider.System.GetElapsedTime(started);
            if (warmUp && elapsed > warmUpTime)
            {
                warmUp = false;
                count = 0;
                started = TimeProvider.System.GetTimestamp();
            }
            else if (!warmUp && elapsed >= duration)
            {
                return count / elapsed.TotalSeconds;
            }
        }
    }
}
