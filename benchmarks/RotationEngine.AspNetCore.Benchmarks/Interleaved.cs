namespace RotationEngine.AspNetCore.Benchmarks;

/// <summary>
/// Ratios measured robustly on a shared machine: alternating batches of refreshes over HTTP, of engine rotations + JWT
/// and of rotations alone on the same server, and of DPoP-bound refreshes over HTTP (ES256 and RS256, the client making
/// a fresh proof for every request inside the timed batch: end to end), so that all see the same background load; each
/// figure is the median of the per-round ratios.
/// </summary>
internal static class Interleaved
{
    public sealed record Result(
        double HttpNs, double PairNs, double EngineNs, double Es256Ns, double Rs256Ns,
        double HttpOverPair, double HttpOverEngine, double Es256OverHttp, double Rs256OverHttp, int Rounds, int Batch);

    private enum Kind
    {
        Http,
        Pair,
        Engine,
        Es256,
        Rs256,
    }

    public static async Task<Result> MeasureAsync(int rounds, int batch)
    {
        await using var server = await BenchServer.StartAsync();
        using var es256 = BenchProofs.Es256(TimeProvider.System);
        using var rs256 = BenchProofs.Rs256();
        var tokens = new Dictionary<Kind, string>
        {
            [Kind.Http] = await server.IssueAsync(),
            [Kind.Pair] = await server.IssueAsync(),
            [Kind.Engine] = await server.IssueAsync(),
            [Kind.Es256] = await server.IssueAsync(es256.Thumbprint),
            [Kind.Rs256] = await server.IssueAsync(rs256.Thumbprint),
        };

        async Task<string> Once(Kind kind, string token) => kind switch
        {
            Kind.Http => await server.RefreshOverHttpAsync(token),
            Kind.Pair => await server.RotateAndMintAsync(token),
            Kind.Engine => (await server.Engine.RotateAsync(token, "spa")).Token!,
            Kind.Es256 => await server.RefreshOverHttpAsync(token, es256.Proof(server.TokenUri, TimeProvider.System.GetUtcNow())),
            _ => await server.RefreshOverHttpAsync(token, rs256.Proof(server.TokenUri, TimeProvider.System.GetUtcNow())),
        };

        var kinds = Enum.GetValues<Kind>();
        foreach (var kind in kinds)
        {
            for (var i = 0; i < batch; i++)
            {
                tokens[kind] = await Once(kind, tokens[kind]);
            }
        }

        var time = TimeProvider.System;
        var ns = kinds.ToDictionary(k => k, _ => new List<double>());
        for (var round = 0; round < rounds; round++)
        {
            // The order reverses every other round so that no case always runs first after a pause.
            foreach (var kind in round % 2 == 0 ? kinds : kinds.Reverse())
            {
                var start = time.GetTimestamp();
                for (var i = 0; i < batch; i++)
                {
                    tokens[kind] = await Once(kind, tokens[kind]);
                }

                ns[kind].Add(time.GetElapsedTime(start).TotalNanoseconds / batch);
            }
        }

        double Ratio(Kind over, Kind under) => Median(ns[over].Zip(ns[under], (a, b) => a / b));
        return new Result(
            Median(ns[Kind.Http]), Median(ns[Kind.Pair]), Median(ns[Kind.Engine]), Median(ns[Kind.Es256]), Median(ns[Kind.Rs256]),
            Ratio(Kind.Http, Kind.Pair), Ratio(Kind.Http, Kind.Engine), Ratio(Kind.Es256, Kind.Http), Ratio(Kind.Rs256, Kind.Http),
            rounds, batch);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
