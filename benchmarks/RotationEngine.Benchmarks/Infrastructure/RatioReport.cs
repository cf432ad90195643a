using System.Globalization;
using System.Text;
using BenchmarkDotNet.Reports;
using RotationEngine.Benchmarks.InMemory;
using RotationEngine.Benchmarks.Sqlite;

namespace RotationEngine.Benchmarks.Infrastructure;

/// <summary>
/// The ratios against the baselines and the targets (issue 5, and v2's forged-token, reuse-detection and CPU-limit
/// goals), computed from the summaries of one run (ratios measured together; absolute numbers drift with the
/// machine's load).
/// </summary>
internal static class RatioReport
{
    public static string Build(IReadOnlyList<Summary> summaries, string loadBefore, string loadAfter, (double MedianNs, double MedianRatio)? paired)
    {
        var reports = summaries.SelectMany(s => s.Reports).Where(r => r.ResultStatistics is not null).ToList();
        // Medians: on a shared machine one load spike moves a mean of a few iterations, not their median.
        double? Mean(Type type, string method, string? synchronous = null) => Find(type, method, synchronous)?.ResultStatistics!.Median;
        BenchmarkReport? Find(Type type, string method, string? synchronous) => FindWith(type, method, "Synchronous", synchronous);
        double? MeanWith(Type type, string method, string parameter, string value) => FindWith(type, method, parameter, value)?.ResultStatistics!.Median;
        BenchmarkReport? FindWith(Type type, string method, string parameter, string? value) => reports.FirstOrDefault(r =>
            r.BenchmarkCase.Descriptor.Type == type
            && r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method
            && (value is null || r.BenchmarkCase.Parameters.Items.Any(p => p.Name == parameter && p.Value?.ToString() == value)));

        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');
        Line($"Machine: {Machine.Describe()}. Load average (1/5/15 min) before the run: {loadBefore}; after: {loadAfter}.");
        Line("");
        Line("| Target | Measured | Goal | Met |");
        Line("|---|---:|---:|:---:|");

        var cpuLimit = Mean(typeof(InMemoryRotationBenchmarks), nameof(InMemoryRotationBenchmarks.CpuLimitReused));
        var rotate = Mean(typeof(InMemoryRotationBenchmarks), nameof(InMemoryRotationBenchmarks.Rotate));
        var rotateReport = Find(typeof(InMemoryRotationBenchmarks), nameof(InMemoryRotationBenchmarks.Rotate), null);
        var allocated = rotateReport?.GcStats.GetBytesAllocatedPerOperation(rotateReport.BenchmarkCase);
        Row("In-memory Rotate, rotations per second on one core", rotate is { } r ? 1e9 / r : null, "N0", "≥ 300,000", v => v >= 300_000);
        Row("In-memory Rotate ÷ CPU limit (4 HMACs, parse, format; BenchmarkDotNet medians)", Divide(rotate, cpuLimit), "F2", "≤ 1.5", v => v <= 1.5);
        if (paired is { } p)
        {
            Row("In-memory Rotate ÷ CPU limit (interleaved batches, median)", p.MedianRatio, "F2", "≤ 1.5", v => v <= 1.5);
        }

        Row("Bytes allocated per in-memory Rotate (token string included)", allocated, "N0", "≤ 512", v => v <= 512);
        var forged = new[] { "1", "10000", "1000000" }.Select(behind => MeanWith(typeof(ForgedTokenBenchmarks), nameof(ForgedTokenBenchmarks.RejectForged), "Behind", behind)).ToArray();
        foreach (var (behind, ns) in new[] { "1", "10,000", "1,000,000" }.Zip(forged))
        {
            Row($"Forged token with a real family id, {behind} behind: ns per rejection (0 store calls, checked in the setup)", ns, "N0", "≤ 1,000", v => v <= 1_000);
        }

        Row("Forged token: 1,000,000 behind ÷ 1 behind (flat)", Divide(forged[2], forged[0]), "F2", "≤ 1.2", v => v <= 1.2);
        var memory = nameof(StoreKind.InMemory);
        double? Reuse(string method) => MeanWith(typeof(ReuseDetectedBenchmarks), method, "Store", memory);
        var walk1 = Reuse(nameof(ReuseDetectedBenchmarks.Behind1));
        var walk10000 = Reuse(nameof(ReuseDetectedBenchmarks.Behind10000));
        var revoked1 = Reuse(nameof(ReuseDetectedBenchmarks.RevokedBehind1));
        var revoked10000 = Reuse(nameof(ReuseDetectedBenchmarks.RevokedBehind10000));
        Row("In-memory reuse detection, first (revoking) presentation 10,000 behind ÷ 1 behind (one walk, linear)", Divide(walk10000, walk1), "F0", "—", _ => true);
        Row("In-memory reuse detection, ns per generation walked (10,000 behind vs 1)", walk1 is { } w1 && walk10000 is { } w2 ? (w2 - w1) / 9_999 : null, "N0", "—", _ => true);
        Row("In-memory revoked family presented again, 10,000 behind ÷ 1 behind (flat)", Divide(revoked10000, revoked1), "F2", "≤ 1.2", v => v <= 1.2);
        foreach (var synchronous in new[] { nameof(StoreKind.SqliteNormal), nameof(StoreKind.SqliteFull) })
        {
            var mode = synchronous == nameof(StoreKind.SqliteNormal) ? "NORMAL" : "FULL";
            var raw = Mean(typeof(SqliteRotationBenchmarks), "RawUpdate", synchronous);
            var engine = Mean(typeof(SqliteRotationBenchmarks), "EngineRotate", synchronous);
            var openIddict = Mean(typeof(SqliteRotationBenchmarks), nameof(SqliteRotationBenchmarks.OpenIddict), synchronous);
            var tokenPerRow = Mean(typeof(SqliteRotationBenchmarks), nameof(SqliteRotationBenchmarks.TokenPerRow), synchronous);
            var goals = synchronous == nameof(StoreKind.SqliteNormal);
            Row($"SQLite ({mode}) Rotate, rotations per second on one thread", engine is { } e ? 1e9 / e : null, "N0", goals ? "≥ 15,000" : "—", v => !goals || v >= 15_000);
            Row($"SQLite ({mode}) engine speed ÷ raw-UPDATE limit speed", Divide(raw, engine), "F2", "≥ 0.9", v => v >= 0.9);
            Row($"SQLite ({mode}) engine speed ÷ OpenIddict peer speed", Divide(openIddict, engine), "F1", goals ? "≥ 5" : "—", v => !goals || v >= 5);
            Row($"SQLite ({mode}) engine speed ÷ token-per-row (Dapper) speed", Divide(tokenPerRow, engine), "F1", goals ? "≥ 1.5" : "—", v => !goals || v >= 1.5);
        }

        Line("");
        Line("All figures use BenchmarkDotNet's median time per operation. "
            + "Speed ratios divide the other's time per rotation by the engine's (higher is better for the engine); "
            + "the CPU-limit ratio divides the engine's time by the limit's (lower is better). Storage per family is in storage.md.");
        return text.ToString();

        void Row(string name, double? value, string format, string goal, Func<double, bool> met) =>
            Line($"| {name} | {(value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "not measured")} | {goal} | "
                + $"{(value is { } w ? (goal == "—" ? "—" : met(w) ? "met" : "missed") : "—")} |");
    }

    private static double? Divide(double? numerator, double? denominator) =>
        numerator is { } n && denominator is { } d && d > 0 ? n / d : null;
}
