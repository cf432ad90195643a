#if SQLITE_STORE
using BenchmarkDotNet.Attributes;
using RotationEngine.Benchmarks.Infrastructure;

namespace RotationEngine.Benchmarks.Sqlite;

/// <summary>The engine's other operations on the SQLite store (Rotate is in <see cref="SqliteRotationBenchmarks"/>
/// beside its baselines; Issue and ReuseDetected are store-parameterized benchmarks of their own).</summary>
[MemoryDiagnoser]
public class SqliteEngineBenchmarks
{
    private BenchmarkStore _store = null!;
    private RefreshTokenEngine _engine = null!;
    private string _current = null!;
    private string _retired = null!;
    private string _malformed = null!;
    private string _forged = null!;

    [Params(StoreKind.SqliteNormal, StoreKind.SqliteFull)]
    public StoreKind Synchronous { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _store = BenchmarkStore.Create(Synchronous);
        _engine = EngineFixture.Create(_store.Store);
        _retired = _engine.IssueAsync(EngineFixture.Subject, EngineFixture.Rolling).AsTask().GetAwaiter().GetResult().Token;
        _current = _engine.RotateAsync(_retired, EngineFixture.Rolling).AsTask().GetAwaiter().GetResult().Token!;
        _malformed = HostileTokens.Malformed(_current);
        _forged = HostileTokens.Forge(_current);
    }

    [GlobalCleanup]
    public void Cleanup() => _store.Dispose();

    [Benchmark]
    public async ValueTask<RotationOutcome> Inspect() =>
        EngineFixture.Expect(await _engine.InspectAsync(_current, EngineFixture.Rolling), RotationOutcome.Rotated).Outcome;

    [Benchmark]
    public async ValueTask<RotationOutcome> GraceReplay() =>
        EngineFixture.Expect(await _engine.RotateAsync(_retired, EngineFixture.Rolling), RotationOutcome.GraceReplay).Outcome;

    [Benchmark]
    public async ValueTask<RotationOutcome> RejectMalformed() =>
        EngineFixture.Expect(await _engine.RotateAsync(_malformed, EngineFixture.Rolling), RotationOutcome.Invalid).Outcome;

    [Benchmark]
    public async ValueTask<RotationOutcome> RejectForged() =>
        EngineFixture.Expect(await _engine.RotateAsync(_forged, EngineFixture.Rolling), RotationOutcome.Invalid).Outcome;
}
#endif
