using BenchmarkDotNet.Attributes;
using RotationEngine.Benchmarks.Infrastructure;

namespace RotationEngine.Benchmarks.InMemory;

/// <summary>Starting a family (a sign-in): random id and secret, digest, one insert, formatting.</summary>
/// <remarks>Each iteration starts from an empty store so that the in-memory store's size stays bounded
/// however many invocations the run makes.</remarks>
[MemoryDiagnoser]
[InvocationCount(1024)]
public class IssueBenchmarks
{
    private BenchmarkStore? _store;
    private RefreshTokenEngine _engine = null!;

    [ParamsSource(nameof(Stores))]
    public StoreKind Store { get; set; }

    public static IEnumerable<StoreKind> Stores => BenchmarkStore.Available;

    [IterationSetup]
    public void FreshStore()
    {
        _store?.Dispose();
        _store = BenchmarkStore.Create(Store);
        _engine = EngineFixture.Create(_store.Store);
    }

    [GlobalCleanup]
    public void Cleanup() => _store?.Dispose();

    [Benchmark]
    public async ValueTask<string> Issue() => (await _engine.IssueAsync(EngineFixture.Subject, EngineFixture.Rolling)).Token;
}
