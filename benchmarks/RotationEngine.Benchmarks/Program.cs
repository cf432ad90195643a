using System.Globalization;
using BenchmarkDotNet.Running;
using RotationEngine.Benchmarks.Infrastructure;
using RotationEngine.Benchmarks.Footprint;

// Modes (see docs/benchmarks.md):
//   --quick                      CI: a representative few cases, in process, one cold invocation each; exit 1 on any failure.
//   --full                       the committed run: every benchmark, then results/ (reports, ratios.md) under benchmarks/.
//   --storage [F] [Fsql] [Frow]  bytes per family after F families x 0/1/10/100 rotations; writes results/storage.md.
//   --before-after CSPROJ        in-memory scenarios against an older core and the current one, in one run (before-after.sh).
//   --paired ROUNDS SCENARIO...  interleaved in-memory ratios against the CPU limit (for a busy machine).
//   --profile SCENARIO SECONDS   one in-memory scenario in a loop, for a profiler.
//   anything else                BenchmarkDotNet's own command line (e.g. --filter '*Rotate*' --job short).
return args switch
{
    ["--quick"] => Quick(),
    ["--full"] => Full(),
    ["--storage", .. var sizes] => Storage(sizes),
    ["--before-after", var beforeCore] => BeforeAfter(beforeCore),
    ["--paired", var rounds, .. var scenarios] => Paired(Number(rounds), scenarios),
    ["--profile", var scenario, var seconds] => ProfileLoop.Run(scenario, Number(seconds)),
    _ => Switcher(args),
};

static int Quick()
{
    var artifacts = Path.Combine(Path.GetTempPath(), "rotation-engine-quick-bench");
    var summaries = BenchmarkRunner.Run(Configs.Suite, Configs.Quick(artifacts));
    var cases = summaries.SelectMany(s => s.Reports).ToList();
    var failed = cases.Where(r => !r.Success || r.ResultStatistics is null).Select(r => r.BenchmarkCase.DisplayInfo).ToList();
    var invalid = summaries.SelectMany(s => s.ValidationErrors).Where(e => e.IsCritical).Select(e => e.Message).ToList();
    foreach (var problem in failed.Concat(invalid))
    {
        Console.WriteLine($"FAILED: {problem}");
    }

    var ok = cases.Count > 0 && failed.Count == 0 && invalid.Count == 0;
    Console.WriteLine($"benchmarks: {cases.Count - failed.Count} passed, {failed.Count + invalid.Count + (cases.Count == 0 ? 1 : 0)} failed");
    return ok ? 0 : 1;
}

static int Full()
{
    var root = Machine.RepositoryRoot();
    var results = Path.Combine(root, "benchmarks", "results");
    var artifacts = Path.Combine(root, "BenchmarkDotNet.Artifacts", "full");
    if (Directory.Exists(artifacts))
    {
        Directory.Delete(artifacts, recursive: true);
    }

    var loadBefore = Machine.LoadAverage();
    var summaries = BenchmarkRunner.Run(Configs.Suite, Configs.Full(artifacts));
    var loadAfter = Machine.LoadAverage();
    var paired = PairedRatio.Measure(400, "rotate")["rotate"];

    Directory.CreateDirectory(results);
    foreach (var report in Directory.GetFiles(Path.Combine(artifacts, "results"), "*-report-github.md"))
    {
        File.Copy(report, Path.Combine(results, Path.GetFileName(report).Replace("RotationEngine.Benchmarks.", "", StringComparison.Ordinal)), overwrite: true);
    }

    var ratios = RatioReport.Build(summaries, loadBefore, loadAfter, paired);
    File.WriteAllText(Path.Combine(results, "ratios.md"), "# Ratios against the baselines and the targets\n\n" + ratios);
    Console.WriteLine(ratios);
    return summaries.SelectMany(s => s.Reports).All(r => r.Success) ? 0 : 1;
}

static int BeforeAfter(string beforeCore)
{
    var root = Machine.RepositoryRoot();
    var artifacts = Path.Combine(root, "BenchmarkDotNet.Artifacts", "before-after");
    var loadBefore = Machine.LoadAverage();
    var summary = BenchmarkRunner.Run<RotationEngine.Benchmarks.InMemory.InMemoryRotationBenchmarks>(Configs.BeforeAfter(artifacts, Path.GetFullPath(beforeCore)));
    var results = Path.Combine(root, "benchmarks", "results");
    Directory.CreateDirectory(results);
    foreach (var report in Directory.GetFiles(Path.Combine(artifacts, "results"), "*-report-github.md"))
    {
        File.Copy(report, Path.Combine(results, "before-after-" + Path.GetFileName(report).Replace("RotationEngine.Benchmarks.", "", StringComparison.Ordinal)), overwrite: true);
    }

    var table = BeforeAfterReport.Build(summary, loadBefore, Machine.LoadAverage());
    File.WriteAllText(Path.Combine(results, "before-after.md"), "# Before and after the core's perf commits, one run\n\n" + table);
    Console.WriteLine(table);
    return summary.Reports.All(r => r.Success) ? 0 : 1;
}

static int Storage(string[] sizes)
{
    var memory = sizes.Length > 0 ? Number(sizes[0]) : 100_000;
    var sqlite = sizes.Length > 1 ? Number(sizes[1]) : 10_000;
    var tokenPerRow = sizes.Length > 2 ? Number(sizes[2]) : 1_000;
    var report = StorageMeasurement.Run(memory, sqlite, tokenPerRow);
    var results = Path.Combine(Machine.RepositoryRoot(), "benchmarks", "results");
    Directory.CreateDirectory(results);
    File.WriteAllText(Path.Combine(results, "storage.md"), "# Storage per family\n\n" + report);
    return 0;
}

static int Paired(int rounds, string[] scenarios)
{
    foreach (var (name, (ns, ratio)) in PairedRatio.Measure(rounds, scenarios))
    {
        Console.WriteLine($"{name,-12} {ns,8:N0} ns  {ratio,5:F2} x CPU limit");
    }

    return 0;
}

static int Switcher(string[] args)
{
    var summaries = BenchmarkSwitcher.FromTypes(Configs.Suite).Run(args);
    return summaries.SelectMany(s => s.Reports).All(r => r.Success) ? 0 : 1;
}

static int Number(string text) => int.Parse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
