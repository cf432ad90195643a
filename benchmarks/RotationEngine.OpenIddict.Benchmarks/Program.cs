using System.Globalization;
using System.Text;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using RotationEngine.OpenIddict.Benchmarks;

// Modes:
//   --quick   CI: every case once (one cold invocation, refreshes behind 10, storage with 2 sessions); exit 1 on any failure.
//   --full    the committed run: writes benchmarks/results/openiddict.md (BenchmarkDotNet's reports, ratios, storage).
//   anything else: BenchmarkDotNet's own command line (e.g. --filter '*Refresh*').
return args switch
{
    ["--quick"] => await QuickAsync(),
    ["--full"] => await FullAsync(),
    _ => BenchmarkSwitcher.FromTypes([typeof(RefreshBenchmarks), typeof(RevocationBenchmarks)]).Run(args).SelectMany(s => s.Reports).All(r => r.Success) ? 0 : 1,
};

static async Task<int> QuickAsync()
{
    var artifacts = Path.Combine(Path.GetTempPath(), "re-oidc-quick-bench");
    var config = Config(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).WithId("Quick"), artifacts)
        .AddFilter(new SimpleFilter(b => b.Parameters.Items.All(p => p.Name != nameof(RevocationBenchmarks.RefreshesBehind) || (int)p.Value! == 10)));
    var summaries = new[] { BenchmarkRunner.Run<RefreshBenchmarks>(config), BenchmarkRunner.Run<RevocationBenchmarks>(Revocation(config, Job.Dry.WithToolchain(InProcessEmitToolchain.Instance), quick: true)) };
    var paired = await PairedRefresh.MeasureAsync(clients: 8, rounds: 2);
    Console.WriteLine($"interleaved: {paired.Ratio:F1}x");
    var storage = await StorageMeasurement.RunAsync(sessions: 2);
    Console.WriteLine(storage);
    var cases = summaries.SelectMany(s => s.Reports).ToList();
    var failed = cases.Count(r => !r.Success || r.ResultStatistics is null);
    Console.WriteLine($"openiddict benchmarks: {cases.Count - failed} passed, {failed + (cases.Count == 0 ? 1 : 0)} failed");
    return failed == 0 && cases.Count > 0 ? 0 : 1;
}

static async Task<int> FullAsync()
{
    var root = RepositoryRoot();
    var artifacts = Path.Combine(root, "BenchmarkDotNet.Artifacts", "openiddict");
    var job = Job.Default.WithToolchain(LongRunning()).WithWarmupCount(3).WithIterationCount(15)
        .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(500)).WithId("Full");
    var load = LoadAverage();
    var started = TimeProvider.System.GetUtcNow();
    var config = Config(job, artifacts);
    var refresh = BenchmarkRunner.Run<RefreshBenchmarks>(config);
    var revocation = BenchmarkRunner.Run<RevocationBenchmarks>(Revocation(config, job, quick: false));
    var paired = new StringBuilder()
        .AppendLine("Interleaved batches (both servers up, 16 refreshes per batch, alternating, 40 rounds; medians of per-round values):")
        .AppendLine()
        .AppendLine("| clients | OpenIddict, refreshes/s | RotationEngine, refreshes/s | ratio (median of per-round ratios) |")
        .AppendLine("|---:|---:|---:|---:|");
    foreach (var clients in new[] { 1, 8 })
    {
        var (ownNs, engineNs, ratio) = await PairedRefresh.MeasureAsync(clients, rounds: 40);
        paired.AppendLine(CultureInfo.InvariantCulture, $"| {clients} | {1e9 / ownNs:N0} | {1e9 / engineNs:N0} | **{ratio:F1}×** |");
    }

    var storage = await StorageMeasurement.RunAsync(sessions: 50);
    var report = new StringBuilder()
        .AppendLine("# OpenIddict with its own refresh tokens against OpenIddict with RotationEngine's")
        .AppendLine()
        .AppendLine(CultureInfo.InvariantCulture, $"Run `dotnet run -c Release --project benchmarks/RotationEngine.OpenIddict.Benchmarks -- --full`, started {started:yyyy-MM-dd HH:mm} UTC; load average before {load}, after {LoadAverage()} (2 cores shared with other engineers' builds: compare the ratios of this run, not absolute numbers across runs).")
        .AppendLine()
        .AppendLine("## Ratios")
        .AppendLine()
        .Append(Ratios(refresh, revocation))
        .AppendLine()
        .Append(paired)
        .AppendLine()
        .AppendLine("## Database bytes per session")
        .AppendLine()
        .Append(storage)
        .AppendLine()
        .AppendLine("## BenchmarkDotNet reports")
        .AppendLine();
    foreach (var file in Directory.GetFiles(Path.Combine(artifacts, "results"), "*-report-github.md").Order(StringComparer.Ordinal))
    {
        report.AppendLine(File.ReadAllText(file)).AppendLine();
    }

    var results = Path.Combine(root, "benchmarks", "results");
    Directory.CreateDirectory(results);
    var path = Path.Combine(results, "openiddict.generated.md");
    File.WriteAllText(path, report.ToString());
    Console.WriteLine(report);
    Console.WriteLine($"written: {path}");
    return refresh.Reports.Concat(revocation.Reports).All(r => r.Success) ? 0 : 1;
}

// In process (no per-benchmark build on two shared cores), with room for GlobalSetups that build sessions of 1,000
// refreshes over HTTP (the default in-process limit is 5 minutes per case).
static IToolchain LongRunning() => new InProcessEmitToolchain(TimeSpan.FromMinutes(40), logOutput: true);

static ManualConfig Config(Job job, string artifacts) => ManualConfig.CreateEmpty()
    .AddJob(job)
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddColumnProvider(DefaultColumnProviders.Instance)
    .AddColumn(StatisticColumn.Median)
    .AddLogger(ConsoleLogger.Default)
    .AddExporter(MarkdownExporter.GitHub)
    .WithArtifactsPath(artifacts);

// Revocation consumes one prepared session per invocation: one invocation per iteration, no pilot, at most 7 iterations.
static IConfig Revocation(ManualConfig config, Job job, bool quick)
{
    var once = job.WithInvocationCount(1).WithUnrollFactor(1).WithWarmupCount(1).WithIterationCount(quick ? 1 : 5).WithId(quick ? "QuickOnce" : "FullOnce");
    // The endpoint revokes one token entry (or one family) whatever the session's length: measured at 10 only, which
    // spares building ten more sessions of 1,000 refreshes per design.
    return Config(once, config.ArtifactsPath).AddFilter([.. config.GetFilters()])
        .AddFilter(new SimpleFilter(b => !(b.Descriptor.WorkloadMethod.Name.EndsWith("RevocationEndpoint", StringComparison.Ordinal)
            && b.Parameters.Items.Any(p => p.Name == nameof(RevocationBenchmarks.RefreshesBehind) && (int)p.Value! != 10))));
}

static string Ratios(Summary refresh, Summary revocation)
{
    var text = new StringBuilder();
    text.AppendLine("Medians of this run. Speed ratio = OpenIddict's time ÷ the engine's (higher is better for the engine).").AppendLine();
    text.AppendLine("| measure | OpenIddict's refresh tokens | RotationEngine's | ratio |");
    text.AppendLine("|---|---:|---:|---:|");
    foreach (var clients in new[] { 1, 8 })
    {
        var own = Median(refresh, nameof(RefreshBenchmarks.OpenIddictRefreshTokens), nameof(RefreshBenchmarks.Clients), clients);
        var engine = Median(refresh, nameof(RefreshBenchmarks.RotationEngineRefreshTokens), nameof(RefreshBenchmarks.Clients), clients);
        text.AppendLine(CultureInfo.InvariantCulture, $"| refreshes per second, {clients} client{(clients == 1 ? "" : "s")} | {1e9 / own:N0} | {1e9 / engine:N0} | **{own / engine:F1}×** |");
    }

    foreach (var behind in new[] { 10, 1000 })
    {
        var own = Median(revocation, nameof(RevocationBenchmarks.OpenIddictRevokeSession), nameof(RevocationBenchmarks.RefreshesBehind), behind);
        var engine = Median(revocation, nameof(RevocationBenchmarks.RotationEngineRevokeSession), nameof(RevocationBenchmarks.RefreshesBehind), behind);
        text.AppendLine(CultureInfo.InvariantCulture, $"| revoke a session with {behind:N0} refreshes behind it (server side) | {own / 1e6:N2} ms | {engine / 1e6:N2} ms | **{own / engine:F1}×** |");
    }

    foreach (var behind in new[] { 10 })
    {
        var own = Median(revocation, nameof(RevocationBenchmarks.OpenIddictRevocationEndpoint), nameof(RevocationBenchmarks.RefreshesBehind), behind);
        var engine = Median(revocation, nameof(RevocationBenchmarks.RotationEngineRevocationEndpoint), nameof(RevocationBenchmarks.RefreshesBehind), behind);
        text.AppendLine(CultureInfo.InvariantCulture, $"| RFC 7009 revocation endpoint, {behind:N0} refreshes behind | {own / 1e6:N2} ms | {engine / 1e6:N2} ms | **{own / engine:F1}×** |");
    }

    return text.ToString();
}

static double Median(Summary summary, string method, string parameter, int value) =>
    summary.Reports.SingleOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method
        && r.BenchmarkCase.Parameters.Items.Any(p => p.Name == parameter && (int)p.Value! == value))?.ResultStatistics?.Median ?? double.NaN;

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

static string RepositoryRoot()
{
    var directory = new DirectoryInfo(AppContext.BaseDirectory);
    while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "RotationEngine.sln")))
    {
        directory = directory.Parent;
    }

    return directory?.FullName ?? throw new InvalidOperationException("RotationEngine.sln not found above " + AppContext.BaseDirectory);
}
