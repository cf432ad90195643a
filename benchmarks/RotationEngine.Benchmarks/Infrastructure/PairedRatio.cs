using RotationEngine.Benchmarks.InMemory;

namespace RotationEngine.Benchmarks.Infrastructure;

/// <summary>
/// Interleaved measurement for a shared, noisy machine: short batches of each scenario in turn, many rounds;
/// each round's time per operation is divided by the CPU limit's in the same round, so that load changing
/// between rounds cancels out. Reports the median of those per-round ratios.
/// </summary>
internal static class PairedRatio
{
    private const int BatchSize = 256;

    public static IReadOnlyDictionary<string, (double MedianNs, double MedianRatio)> Measure(int rounds, params string[] scenarios)
    {
        var benchmarks = new InMemoryRotationBenchmarks();
        benchmarks.Setup();
        try
        {
            var steps = scenarios.Select(name => (name, step: ProfileLoop.Step(benchmarks, name))).ToArray();
            var limit = ProfileLoop.Step(benchmarks, "cpu");
            var time = TimeProvider.System;
            var perOp = scenarios.ToDictionary(s => s, _ => new List<double>());
            var ratios = scenarios.ToDictionary(s => s, _ => new List<double>());

            // Warm up every scenario (tiered JIT) before measuring.
            for (var i = 0; i < 50 * BatchSize; i++)
            {
                limit();
                foreach (var (_, step) in steps)
                {
                    step();
                }
            }

            for (var round = 0; round < rounds; round++)
            {
                var limitNs = Batch(limit, time);
                foreach (var (name, step) in steps)
                {
                    var ns = Batch(step, time);
                    perOp[name].Add(ns);
                    ratios[name].Add(ns / limitNs);
                }
            }

            return scenarios.ToDictionary(s => s, s => (Median(perOp[s]), Median(ratios[s])));
        }
        finally
        {
            benchmarks.Cleanup();
        }
    }

    private static double Batch(Func<bool> step, TimeProvider time)
    {
        var started = time.GetTimestamp();
        for (var i = 0; i < BatchSize; i++)
        {
            step();
        }

        return time.GetElapsedTime(started).TotalNanoseconds / BatchSize;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
