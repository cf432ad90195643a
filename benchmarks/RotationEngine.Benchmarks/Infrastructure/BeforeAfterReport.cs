using System.Globalization;
using System.Text;
using BenchmarkDotNet.Reports;
using RotationEngine.Benchmarks.InMemory;

namespace RotationEngine.Benchmarks.Infrastructure;

/// <summary>After ÷ before per scenario, and each job's own ratio to the CPU limit, from one run with two jobs.</summary>
internal static class BeforeAfterReport
{
    public static string Build(Summary summary, string loadBefore, string loadAfter)
    {
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');
        Line($"Machine: {Machine.Describe()}. Load average (1/5/15 min) before: {loadBefore}; after: {loadAfter}.");
        Line("");
        Line("| Scenario | Before (mean) | After (mean) | After ÷ before | Before ÷ CPU limit | After ÷ CPU limit | Allocated before | Allocated after |");
        Line("|---|---:|---:|---:|---:|---:|---:|---:|");
        var reports = summary.Reports.Where(r => r.ResultStatistics is not null).ToList();
        BenchmarkReport? Find(string job, string method) => reports.FirstOrDefault(r =>
            r.BenchmarkCase.Job.Id == job && r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method);
        var limitBefore = Find("Before", nameof(InMemoryRotationBenchmarks.CpuLimitReused))?.ResultStatistics!.Mean;
        var limitAfter = Find("After", nameof(InMemoryRotationBenchmarks.CpuLimitReused))?.ResultStatistics!.Mean;
        foreach (var method in reports.Select(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name).Distinct())
        {
            var before = Find("Before", method);
            var after = Find("After", method);
            if (before is null || after is null)
            {
                continue;
            }

            var b = before.ResultStatistics!.Mean;
            var a = after.ResultStatistics!.Mean;
            Line(string.Create(CultureInfo.InvariantCulture,
                $"| {method} | {b:N0} ns | {a:N0} ns | {a / b:F2} | {Ratio(b, limitBefore)} | {Ratio(a, limitAfter)} | "
                + $"{before.GcStats.GetBytesAllocatedPerOperation(before.BenchmarkCase):N0} B | {after.GcStats.GetBytesAllocatedPerOperation(after.BenchmarkCase):N0} B |"));
        }

        Line("");
        Line("The CPU limit does not use the core, so its after ÷ before is the run's noise floor.");
        return text.ToString();
    }

    private static string Ratio(double value, double? limit) =>
        limit is { } l && l > 0 ? (value / l).ToString("F2", CultureInfo.InvariantCulture) : "—";
}
