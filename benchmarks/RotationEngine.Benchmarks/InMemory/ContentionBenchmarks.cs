using BenchmarkDotNet.Attributes;
using RotationEngine.Benchmarks.Infrastructure;

namespace RotationEngine.Benchmarks.InMemory;

/// <summary>How families are shared among the concurrent callers.</summary>
public enum Sharing
{
    /// <summary>Each caller rotates its own family: no two callers touch the same row.</summary>
    OwnFamily,

    /// <summary>All callers present the newest token of one family (tabs of one browser): one wins each
    /// generation, the others get it back by grace replay.</summary>
    OneFamily,
}

/// <summary>
/// Rotations by 1, 2, 8 and 64 concurrent callers (thread-pool tasks). Each invocation makes 1,024 rotation
/// calls split evenly among the callers; the time per operation is the wall-clock time of the invocation
/// divided by 1,024, so lower is more throughput. On one family most calls are grace replays by design.
/// </summary>
[MemoryDiagnoser]
public class ContentionBenchmarks
{
    private const int CallsPerInvocation = 1024;
    private BenchmarkStore _store = null!;
    private RefreshTokenEngine _engine = null!;
    private TokenPool[] _own = [];
    private SharedFamily _shared = null!;

    [Params(1, 2, 8, 64)]
    public int Callers { get; set; }

    [Params(Sharing.OwnFamily, Sharing.OneFamily)]
    public Sharing Families { get; set; }

    [ParamsSource(nameof(Stores))]
    public StoreKind Store { get; set; }

    public static IEnumerable<StoreKind> Stores => BenchmarkStore.Available.Where(kind => kind != StoreKind.SqliteFull);

    [GlobalSetup]
    public void Setup()
    {
        _store = BenchmarkStore.Create(Store);
        _engine = EngineFixture.Create(_store.Store);
        _own = Enumerable.Range(0, Callers).Select(_ => new TokenPool(_engine, 1)).ToArray();
        _shared = new SharedFamily(_engine);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // Printed into the BenchmarkDotNet log: the outcome mix behind the number.
        Console.WriteLine($"// contention {Store} {Families} x{Callers}: {_shared.Describe()}");
        _store.Dispose();
    }

    [Benchmark(OperationsPerInvoke = CallsPerInvocation)]
    public Task Rotate()
    {
        var perCaller = CallsPerInvocation / Callers;
        var callers = new Task[Callers];
        for (var c = 0; c < Callers; c++)
        {
            var caller = c;
            callers[c] = Families == Sharing.OwnFamily
                ? Task.Run(async () =>
                {
                    for (var i = 0; i < perCaller; i++)
                    {
                        await _own[caller].RotateNextAsync();
                    }
                })
                : Task.Run(async () =>
                {
                    for (var i = 0; i < perCaller; i++)
                    {
                        await _shared.RotateAsync();
                    }
                });
        }

        return Task.WhenAll(callers);
    }
}
