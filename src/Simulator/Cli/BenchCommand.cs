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
        var engineRate = EngineRotationsPerSecond(TimeSpan.FromSeconds(3));
        var scenario = SimulatorCommand.ScenarioFor(options);
        var policy = scenario.Policies.FirstOrDefault(p => p.Name == (options.Policy ?? "default")) ?? scenario.Policies[0];
        var spec = new RunSpec { Scenario = scenario, Policy = policy, Seed = options.Seed, ScenarioArgument = scenario.Name };
        var result = SwarmCommand.RunOne(spec, StoreChoice.Memory);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"engine Rotate on the in-memory store, one thread: {engineRate:N0} rotations/s"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"simulator, {scenario.Name} / {policy.Name}, one core: {result.Metrics.ServerRequests:N0} requests in {result.Wall.TotalSeconds:0.00} s = {result.RequestsPerSecond:N0} requests/s"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio: {result.RequestsPerSecond / engineRate:0.00} (goal: at least 0.67)"));
        return 0;
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
        while (true)
        {
            for (var i = 0; i < tokens.Length; i++)
            {
                var pending = engine.RotateAsync(tokens[i]);
                tokens[i] = (pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult()).Token!;
            }

            count += tokens.Length;
            var elapsed = TimeProvider.System.GetElapsedTime(started);
            if (warmUp && elapsed > TimeSpan.FromSeconds(0.5))
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
