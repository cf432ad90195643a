using System.Globalization;
using System.Text;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using RotationEngine.AspNetCore.Benchmarks;

// Modes:
//   --quick   CI: every benchmark once (BenchmarkDotNet's Dry job, in process) and 3 interleaved rounds; exit 1 on any failure.
//   --full    the committed run: writes benchmarks/results/aspnetcore.md (ratios, interleaved rounds, BenchmarkDotNet's report).
//   anything else: BenchmarkDotNet's own command line (e.g. --filter '*Http*').
return args switch
{
    ["--quick"] => await QuickAsync(),
    ["--full"] => await FullAsync(),
    _ => BenchmarkSwitcher.FromTypes([typeof(RefreshBenchmarks)]).Run(args).SelectMany(s => s.Reports).All(r => r.Success) ? 0 : 1,
};

static async Task<int> QuickAsync()
{
    var summary = BenchmarkRunner.Run<RefreshBenchmarks>(Config(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).WithId("Quick"), Path.Combine(Path.GetTempPath(), "re-aspnetcore-quick-bench")));
    var interleaved = await Interleaved.MeasureAsync(rounds: 3, batch: 50);
    Console.WriteLine($"interleaved: HTTP refresh {interleaved.HttpOverPair:F1}x engine+JWT, {interleaved.HttpOverEngine:F1}x engine alone");
    var failed = summary.Reports.Count(r => !r.Success || r.ResultStatistics is null);
    Console.WriteLine($"aspnetcore benchmarks: {summary.Reports.Length - failed} passed, {failed + (summary.Reports.Length == 0 ? 1 : 0)} failed");
    return failed == 0 && summary.Reports.Length > 0 ? 0 : 1;
}

static async Task<int> FullAsync()
{
    var root = RepositoryRoot();
    var artifacts = Path.Combine(root, "BenchmarkDotNet.Artifacts", "aspnetcore");
    var job = Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(15)
        .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(500)).WithId("Full");
    var loadBefore = LoadAverage();
    var started = TimeProvider.System.GetUtcNow();
    var summary = BenchmarkRunner.Run<RefreshBenchmarks>(Config(job, artifacts));
    var interleaved = await Interleaved.MeasureAsync(rounds: 80, batch: 50);
    var engine = Median(summary, nameof(RefreshBenchmarks.EngineRotate));
    var jwt = Median(summary, nameof(RefreshBenchmarks.JwtMint));
    var pair = Median(summary, nameof(RefreshBenchmarks.EngineRotatePlusJwt));
    var http = Median(summary, nameof(RefreshBenchmarks.HttpRefresh));
    var report = new StringBuilder()
        .AppendLine("# The refresh grant over HTTP against the engine's own rotation")
        .AppendLine()
        .AppendLine(CultureInfo.InvariantCulture, $"Run `dotnet run -c Release --project benchmarks/RotationEngine.AspNetCore.Benchmarks -- --full`, started {started:yyyy-MM-dd HH:mm} UTC; load average before {loadBefore}, after {LoadAverage()} (2 cores shared with other builds: compare the ratios of one run, not absolute figures across runs).")
        .AppendLine()
        .AppendLine("One server process: the sample AuthServer (`samples/AuthServer`: RotationEngine.AspNetCore's token endpoint, ES256 JWTs from Microsoft.IdentityModel.JsonWebTokens) on Kestrel at 127.0.0.1, SQLite store (WAL, `synchronous=NORMAL`), one client refreshing sequentially with a plain `HttpClient` (form body, public client by `client_id`, JSON parsed for the new token). The in-process cases call the same server's engine and JWT issuer on the same SQLite file.")
        .AppendLine()
        .AppendLine("## BenchmarkDotNet medians")
        .AppendLine()
        .AppendLine("| case | median | per second | ÷ engine RotateAsync |")
        .AppendLine("|---|---:|---:|---:|")
        .AppendLine(Row("engine `RotateAsync` (SQLite)", engine, engine))
        .AppendLine(Row("JWT minting alone (ES256)", jwt, engine))
        .AppendLine(Row("engine `RotateAsync` + JWT", pair, engine))
        .AppendLine(Row("refresh grant over HTTP", http, engine))
        .AppendLine()
        .AppendLine(CultureInfo.InvariantCulture, $"HTTP layer's overhead (BenchmarkDotNet medians): the HTTP refresh costs **{http / pair:F1}×** the engine's rotation + JWT, **{http / engine:F1}×** the rotation alone; the HTTP layer adds {(http - pair) / 1000:N0} µs per refresh (form parsing, client authentication, JSON, Kestrel, HttpClient, loopback TCP).")
        .AppendLine()
        .AppendLine("## Interleaved")
        .AppendLine()
        .AppendLine(CultureInfo.InvariantCulture, $"{interleaved.Rounds} rounds of {interleaved.Batch} HTTP refreshes, {interleaved.Batch} rotations + JWT and {interleaved.Batch} rotations alone on the same server, the order reversed every other round (medians of the per-round values and of the per-round ratios, robust to the shared machine's load changing during the run):")
        .AppendLine()
        .AppendLine("| HTTP refresh | rotation + JWT | rotation alone | HTTP ÷ rotation + JWT | HTTP ÷ rotation |")
        .AppendLine("|---:|---:|---:|---:|---:|")
        .AppendLine(CultureInfo.InvariantCulture, $"| {interleaved.HttpNs / 1000:N1} µs | {interleaved.PairNs / 1000:N1} µs | {interleaved.EngineNs / 1000:N1} µs | **{interleaved.HttpOverPair:F1}×** | **{interleaved.HttpOverEngine:F1}×** |")
        .AppendLine()
        .AppendLine("## BenchmarkDotNet report")
        .AppendLine();
    foreach (var file in Directory.GetFiles(Path.Combine(artifacts, "results"), "*-report-github.md").Order(StringComparer.Ordinal))
    {
        report.AppendLine(File.ReadAllText(file)).AppendLine();
    }

    var path = Path.Combine(root, "benchmarks", "results", "aspnetcore.md");
    File.WriteAllText(path, report.ToString());
    Console.WriteLine(report);
    Console.WriteLine($"written: {path}");
    return summary.Reports.All(r => r.Success) ? 0 : 1;
}

static string Row(string name, double ns, double baseline) =>
    string.Create(CultureInfo.InvariantCulture, $"| {name} | {ns / 1000:N1} µs | {1e9 / ns:N0} | {ns / baseline:F2}× |");

static ManualConfig Config(Job job, string artifacts) => ManualConfig.CreateEmpty()
    .AddJob(job)
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddColumnProvider(DefaultColumnProviders.Instance)
    .AddColumn(StatisticColumn.Median)
    .AddLogger(ConsoleLogger.Default)
    .AddExporter(MarkdownExporter.GitHub)
    .WithArtifactsPath(artifacts);

static double Median(Summary summary, string method) =>
    summary.Reports.SingleOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method)?.ResultStatistics?.Median ?? double.NaN;

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
