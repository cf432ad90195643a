using OpenIddictServer;

namespace RotationEngine.OpenIddict.Benchmarks;

/// <summary>
/// The refresh ratio measured for a shared, noisy machine: both servers run at once and short batches of refreshes
/// alternate between them (the order flips every round), many rounds; each round's time of OpenIddict's batch is
/// divided by the engine's batch of the same round, so load that changes between rounds cancels out. Reports the
/// median of those per-round ratios and the median times per refresh.
/// </summary>
internal static class PairedRefresh
{
    private const int Batch = 16;

    public static async Task<(double OwnNs, double EngineNs, double Ratio)> MeasureAsync(int clients, int rounds)
    {
        await using var own = await BenchServer.StartAsync(RefreshTokenMode.OpenIddict);
        await using var engine = await BenchServer.StartAsync(RefreshTokenMode.RotationEngine);
        var ownTokens = await SignInAsync(own, clients);
        var engineTokens = await SignInAsync(engine, clients);
        for (var i = 0; i < 3; i++)
        {
            await BatchAsync(own, ownTokens);
            await BatchAsync(engine, engineTokens);
        }

        var ownTimes = new List<double>();
        var engineTimes = new List<double>();
        var ratios = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            double o, e;
            if (round % 2 == 0)
            {
                o = await BatchAsync(own, ownTokens);
                e = await BatchAsync(engine, engineTokens);
            }
            else
            {
                e = await BatchAsync(engine, engineTokens);
                o = await BatchAsync(own, ownTokens);
            }

            ownTimes.Add(o);
            engineTimes.Add(e);
            ratios.Add(o / e);
        }

        return (Median(ownTimes), Median(engineTimes), Median(ratios));
    }

    private static async Task<string[]> SignInAsync(BenchServer server, int clients)
    {
        var tokens = new string[clients];
        for (var i = 0; i < clients; i++)
        {
            tokens[i] = (await server.SignInAsync()).RefreshToken!;
        }

        return tokens;
    }

    /// <summary>Nanoseconds per refresh of one batch: <see cref="Batch"/> refreshes spread over the clients.</summary>
    private static async Task<double> BatchAsync(BenchServer server, string[] tokens)
    {
        var time = TimeProvider.System;
        var started = time.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, tokens.Length).Select(async client =>
        {
            for (var i = 0; i < Batch / tokens.Length; i++)
            {
                tokens[client] = await server.RefreshAsync(tokens[client]);
            }
        }));
        return time.GetElapsedTime(started).TotalNanoseconds / Batch;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
