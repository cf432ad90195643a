using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.DotNetCli;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using RotationEngine.Benchmarks.InMemory;
using RotationEngine.Benchmarks.Sqlite;

namespace RotationEngine.Benchmarks.Infrastructure;

/// <summary>The two ways the suite runs: quick (CI) and full (the committed results).</summary>
internal static class Configs
{
    /// <summary>The committed run: every benchmark in this process (no per-benchmark build and process start,
    /// which on two shared cores would double the run), 2 warm-up and 9 measured iterations of 100 ms (enough for
    /// a median that shrugs off a load spike). Short
    /// enough for the whole suite to finish in about ten minutes on two busy cores; the ratios come from it.</summary>
    public static IConfig Full(string artifacts) => ManualConfig.CreateEmpty()
        .AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(2)
            .WithIterationCount(9)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(100))
            .WithId("Full"))
        .AddDiagnoser(MemoryDiagnoser.Default)
        .AddColumnProvider(DefaultColumnProviders.Instance)
        .AddColumn(StatisticColumn.Median)
        .AddLogger(ConsoleLogger.Default)
        .AddExporter(MarkdownExporter.GitHub)
        .WithArtifactsPath(artifacts);

    /// <summary>
    /// The in-memory scenarios built twice in one run: against <paramref name="beforeCore"/> (the core's
    /// project at an older commit) and against the current core. The CPU limit does not
    /// depend on the core, so its ratio near 1.00 is the run's own control.
    /// </summary>
    public static IConfig BeforeAfter(string artifacts, string beforeCore)
    {
        var job = Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(7)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250));
        return ManualConfig.CreateEmpty()
            .AddJob(job.WithArguments([new MsBuildArgument($"/p:RotationEngineCore={beforeCore}"), new MsBuildArgument("/p:WithSqliteStore=false")])
                .WithId("Before"))
            .AddJob(job.WithArguments([new MsBuildArgument("/p:WithSqliteStore=false")]).WithId("After"))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(ConsoleLogger.Default)
            .AddExporter(MarkdownExporter.GitHub)
            .AddFilter(new SimpleFilter(b => b.Descriptor.Type == typeof(InMemoryRotationBenchmarks)
                && b.Descriptor.WorkloadMethod.Name != nameof(InMemoryRotationBenchmarks.CpuLimitOneShot)))
            .WithArtifactsPath(artifacts);
    }

    /// <summary>CI's run: in this process, one cold invocation each, a representative few cases. It proves
    /// every scenario still runs and produces the outcome it claims; its timings mean nothing.</summary>
    public static IConfig Quick(string artifacts) => ManualConfig.CreateEmpty()
        .AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).WithId("Quick"))
        .AddDiagnoser(MemoryDiagnoser.Default)
        .AddColumnProvider(DefaultColumnProviders.Instance)
        .AddLogger(ConsoleLogger.Default)
        .AddExporter(MarkdownExporter.GitHub)
        .AddFilter(new SimpleFilter(IsQuickCase))
        .WithArtifactsPath(artifacts);

    /// <summary>The benchmark classes of the suite, in the order they run.</summary>
    public static Type[] Suite =>
    [
        typeof(InMemoryRotationBenchmarks),
        typeof(RotationPartsBenchmarks),
        typeof(IssueBenchmarks),
        typeof(ForgedTokenBenchmarks),
        typeof(ReuseDetectedBenchmarks),
        typeof(SqliteRotationBenchmarks),
#if SQLITE_STORE
        typeof(SqliteEngineBenchmarks),
#endif
        typeof(ContentionBenchmarks),
    ];

    private static bool IsQuickCase(BenchmarkCase benchmark)
    {
        var type = benchmark.Descriptor.Type;
        var method = benchmark.Descriptor.WorkloadMethod.Name;
        string? Param(string name) => benchmark.Parameters.Items.FirstOrDefault(p => p.Name == name)?.Value?.ToString();
        var normalOrMemory = Param("Store") is null or nameof(StoreKind.InMemory) or nameof(StoreKind.SqliteNormal)
            && Param("Synchronous") is null or nameof(StoreKind.SqliteNormal);

        // The engine against the raw UPDATE runs at FULL too: the goal holds at both settings.
        if (type == typeof(SqliteRotationBenchmarks) && method is "RawUpdate" or "EngineRotate")
        {
            return true;
        }

        return normalOrMemory && (type.Name, method) switch
        {
            (nameof(InMemoryRotationBenchmarks), _) => method is "CpuLimitReused" or "Rotate" or "GraceReplay" or "RejectForged",
            (nameof(SqliteRotationBenchmarks), _) => true,
            (nameof(ForgedTokenBenchmarks), _) => true,
            (nameof(ReuseDetectedBenchmarks), _) => true,
            (nameof(IssueBenchmarks), _) => true,
            (nameof(ContentionBenchmarks), _) => Param("Callers") == "8",
            _ => false,
        };
    }
}
