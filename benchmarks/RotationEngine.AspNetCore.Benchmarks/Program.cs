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
    _ => BenchmarkSwitcher.FromTypes([typeof(RefreshBenchmarks), typeof(DPoPBenchmarks)]).Run(args).SelectMany(s => s.Reports).All(r => r.Success) ? 0 : 1,
};

static async Task<int> QuickAsync()
{
    var config = Config(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).WithId("Quick"), Path.Combine(Path.GetTempPath(), "re-aspnetcore-quick-bench"));
    var reports = BenchmarkRunner.Run([typeof(RefreshBenchmarks), typeof(DPoPBenchmarks)], config).SelectMany(s => s.Reports).ToArray();
    var interleaved = await Interleaved.MeasureAsync(rounds: 3, batch: 50);
    Console.WriteLine($"interleaved: HTTP refresh {interleaved.HttpOverPair:F1}x engine+JWT, {interleaved.HttpOverEngine:F1}x engine alone; DPoP-bound ES256 {interleaved.Es256OverHttp:F2}x, RS256 {interleaved.Rs256OverHttp:F2}x unbound");
    var failed = reports.Count(r => !r.Success || r.ResultStatistics is null);
    Console.WriteLine($"aspnetcore benchmarks: {reports.Length - failed} passed, {failed + (reports.Length == 0 ? 1 : 0)} failed");
    return failed == 0 && reports.Length > 0 ? 0 : 1;
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
    var dpop = BenchmarkRunner.Run<DPoPBenchmarks>(Config(job, artifacts));
    var interleaved = await Interleaved.MeasureAsync(rounds: 80, batch: 50);
    var engine = Median(summary, nameof(RefreshBenchmarks.EngineRotate));
    var jwt = Median(summary, nameof(RefreshBenchmarks.JwtMint));
    var pair = Median(summary, nameof(RefreshBenchmarks.EngineRotatePlusJwt));
    var http = Median(summary, nameof(RefreshBenchmarks.HttpRefresh));
    var httpEs256 = Median(summary, nameof(RefreshBenchmarks.HttpRefreshDPoPEs256));
    var httpRs256 = Median(summary, nameof(RefreshBenchmarks.HttpRefreshDPoPRs256));
    var report = new StringBuilder()
        .AppendLine("# The refresh grant over HTTP against the engine's own rotation")
        .AppendLine()
        .AppendLine(CultureInfo.InvariantCulture, $"Run `dotnet run -c Release --project benchmarks/RotationEngine.AspNetCore.Benchmarks -- --full`, started {started:yyyy-MM-dd HH:mm} UTC; load average before {loadBefore}, after {LoadAverage()} (2 cores shared with other builds: compare the ratios of one run, not absolute figures across runs).")
        .AppendLine()
        .AppendLine("One server process: the sample AuthServer (`samples/AuthServer`: RotationEngine.AspNetCore's token endpoint, ES256 JWTs from Microsoft.IdentityModel.JsonWebTokens) on Kestrel at 127.0.0.1, SQLite store (WAL, `synchronous=NORMAL`), one client refreshing sequentially with a plain `HttpClient` (form body, public client by `client_id`, JSON parsed for the new token). The in-process cases call the same server's engine and JWT issuer on the same SQLite file.")
        .AppendLine()
        .AppendLine("## Interleaved (the headline)")
        .AppendLine()
        .AppendLine(CultureInfo.InvariantCulture, $"{interleaved.Rounds} rounds of {interleaved.Batch} HTTP refreshes, {interleaved.Batch} rotations + JWT and {interleaved.Batch} rotations alone on the same server, the order reversed every other round; medians of the per-round times and of the per-round ratios. Each round's three batches see the same background load, so the ratios hold on this shared machine where sequential measurements do not.")
        .AppendLine()
        .AppendLine("| HTTP refresh | rotation + JWT | rotation alone | JWT (difference) | HTTP ÷ rotation + JWT | HTTP ÷ rotation |")
        .AppendLine("|---:|---:|---:|---:|---:|---:|")
        .AppendLine(CultureInfo.InvariantCulture, $"| {interleaved.HttpNs / 1000:N1} µs | {interleaved.PairNs / 1000:N1} µs | {interleaved.EngineNs / 1000:N1} µs | {(interleaved.PairNs - interleaved.EngineNs) / 1000:N1} µs | **{interleaved.HttpOverPair:F1}×** | **{interleaved.HttpOverEngine:F1}×** |")
        .AppendLine()
        .AppendLine(CultureInfo.InvariantCulture, $"The HTTP layer (Kestrel, loopback TCP, HttpClient, form parsing, client authentication, JSON both ways) adds about {(interleaved.HttpNs - interleaved.PairNs) / 1000:N0} µs to the engine's rotation + JWT: a refresh over HTTP costs **{interleaved.HttpOverPair:F1}×** what the engine and the JWT cost in process.")
        .AppendLine()
        .AppendLine("## DPoP-bound refresh against unbound (issue 11)")
        .AppendLine()
        .AppendLine(CultureInfo.InvariantCulture, $"The same rounds also time {interleaved.Batch} HTTP refreshes of a family bound to the client's key, the client making a fresh proof for every request inside the timed batch (end to end: proof creation, the server's validation, the in-memory replay cache, the `cnf`-bound JWT). ES256 proofs come from the shipped `RotationEngine.Client.DPoP.DPoPProofProvider`, RS256 ones from a 2048-bit key. Goal: a bound refresh at most 1.5× an unbound one.")
        .AppendLine()
        .AppendLine("| unbound HTTP refresh | DPoP ES256 | DPoP RS256 | ES256 ÷ unbound | RS256 ÷ unbound |")
        .AppendLine("|---:|---:|---:|---:|---:|")
        .AppendLine(CultureInfo.InvariantCulture, $"| {interleaved.HttpNs / 1000:N1} µs | {interleaved.Es256Ns / 1000:N1} µs | {interleaved.Rs256Ns / 1000:N1} µs | **{interleaved.Es256OverHttp:F2}×** | **{interleaved.Rs256OverHttp:F2}×** |")
        .AppendLine()
        .AppendLine("The parts, in process (BenchmarkDotNet medians, `DPoPBenchmarks`): the server validates a proof with the replay cache left out (it refuses a proof's second use; its insert is measured on its own, the clock advancing 1 ms per insert: 1,000 proofs per second, 65,000 live entries); the client makes one.")
        .AppendLine()
        .AppendLine("| part | median | allocated |")
        .AppendLine("|---|---:|---:|")
        .AppendLine(Part(dpop, nameof(DPoPBenchmarks.ValidateEs256), "server: validate an ES256 proof"))
        .AppendLine(Part(dpop, nameof(DPoPBenchmarks.ValidateRs256), "server: validate an RS256 proof"))
        .AppendLine(Part(dpop, nameof(DPoPBenchmarks.ReplayCacheInsert), "server: replay-cache insert (in memory)"))
        .AppendLine(Part(dpop, nameof(DPoPBenchmarks.MakeEs256), "client: make an ES256 proof"))
        .AppendLine(Part(dpop, nameof(DPoPBenchmarks.MakeRs256), "client: make an RS256 proof"))
        .AppendLine()
        .AppendLine("## BenchmarkDotNet medians (sequential)")
        .AppendLine()
        .AppendLine("BenchmarkDotNet runs the cases one after another for about a minute each; when the machine's load changes between them (it did: see the load averages) these medians are not comparable with each other. They are kept for the allocation figures and as the error bar.")
        .AppendLine()
        .AppendLine("| case | median | per second | ÷ engine RotateAsync |")
        .AppendLine("|---|---:|---:|---:|")
        .AppendLine(Row("engine `RotateAsync` (SQLite)", engine, engine))
        .AppendLine(Row("JWT minting alone (ES256)", jwt, engine))
        .AppendLine(Row("engine `RotateAsync` + JWT", pair, engine))
        .AppendLine(Row("refresh grant over HTTP", http, engine))
        .AppendLine(Row("DPoP-bound refresh over HTTP (ES256, proof per request)", httpEs256, engine))
        .AppendLine(Row("DPoP-bound refresh over HTTP (RS256, proof per request)", httpRs256, engine))
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
    return summary.Reports.Concat(dpop.Reports).All(r => r.Success) ? 0 : 1;
}

static string Part(Summary summary, string method, string name)
{
    var report = summary.Reports.SingleOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method);
    var allocated = report?.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
    return string.Create(CultureInfo.InvariantCulture, $"| {name} | {(report?.ResultStatistics?.Median ?? double.NaN) / 1000:N1} µs | {(allocated is { } bytes ? $"{bytes:N0} B" : "n/a")} |");
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
