namespace RotationEngine.AspNetCore.Benchmarks;

/// <summary>
/// The HTTP layer's overhead as a ratio measured robustly on a shared machine: alternating batches of refreshes over
/// HTTP and of engine rotations + JWT on the same server, so that both see the same background load; the figure is the
/// median of the per-round ratios (time per HTTP refresh ÷ time per in-process rotation + JWT, and ÷ rotation alone).
/// </summary>
internal static class Interleaved
{
    public sealed record Result(double HttpNs, double PairNs, double EngineNs, double HttpOverPair, double HttpOverEngine, int Rounds, int Batch);

    public static async Task<Result> MeasureAsync(int rounds, int batch)
    {
        await using var server = await BenchServer.StartAsync();
        var http = await server.IssueAsync();
        var pair = await server.IssueAsync();
        var engine = await server.IssueAsync();
        for (var i = 0; i < batch; i++)
        {
            http = await server.RefreshOverHttpAsync(http);
            pair = await server.RotateAndMintAsync(pair);
            engine = (await server.Engine.RotateAsync(engine, "spa")).Token!;
        }

        var time = TimeProvider.System;
        var httpNs = new List<double>();
        var pairNs = new List<double>();
        var engineNs = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            // The order alternates (HTTP, pair, engine / engine, pair, HTTP) so that no case always runs first after a pause.
            var order = round % 2 == 0 ? new[] { 0, 1, 2 } : new[] { 2, 1, 0 };
            foreach (var which in order)
            {
                var start = time.GetTimestamp();
                for (var i = 0; i < batch; i++)
                {
                    switch (which)
                    {
                        case 0:
                            http = await server.RefreshOverHttpAsync(http);
                            break;
                        case 1:
                            pair = await server.RotateAndMintAsync(pair);
                            break;
                        default:
                            engine = (await server.Engine.RotateAsync(engine, "spa")).Token!;
                            break;
                    }
                }

                (which == 0 ? httpNs : which == 1 ? pairNs : engineNs).Add(time.GetElapsedTime(start).TotalNanoseconds / batch);
            }
        }

        return new Result(
            Median(httpNs), Median(pairNs), Median(engineNs),
            Median(httpNs.Zip(pairNs, (h, p) => h / p)), Median(httpNs.Zip(engineNs, (h, e) => h / e)), rounds, batch);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
