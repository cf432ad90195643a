using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using RotationEngine.Benchmarks.Infrastructure;
using RotationEngine.Internal;
using RotationEngine.Storage;

namespace RotationEngine.Benchmarks.InMemory;

/// <summary>
/// The engine on the in-memory store against the CPU limit (the bare work of one honest rotation: parse, four
/// HMACs — tag, child, next tag and digest, seal — and formatting; <see cref="CpuLimit"/>), in one run: Rotate is the
/// hot path (all of that, plus the ledger slot, the conditional swap and the result).
/// </summary>
[MemoryDiagnoser]
public class InMemoryRotationBenchmarks
{
    // Rotations go round-robin over a few families whose state stays in the CPU caches, as the CPU limit's
    // does; RotateColdFamilies spreads them over many more, as a server with many sessions sees them.
    private const int HotFamilies = 16;
    private const int ColdFamilies = 65_536;

    private CpuLimit _cpuLimit = null!;
    private RefreshTokenEngine _engine = null!;
    private TokenPool _hot = null!;
    private TokenPool _cold = null!;
    private string _current = null!;
    private string _retired = null!;
    private string _malformed = null!;
    private string _forged = null!;

    [GlobalSetup]
    public void Setup()
    {
        _cpuLimit = new CpuLimit(EngineFixture.Key, EngineFixture.KeyMaterial);
        _engine = EngineFixture.Create(new InMemoryFamilyStore());
        _hot = new TokenPool(_engine, HotFamilies);
        _cold = new TokenPool(_engine, ColdFamilies);

        // One family rotated once: its generation-0 token is retired (within grace), its generation-1 token current.
        _retired = _engine.IssueAsync(EngineFixture.Subject, EngineFixture.Rolling).AsTask().GetAwaiter().GetResult().Token;
        _current = _engine.RotateAsync(_retired, EngineFixture.Rolling).AsTask().GetAwaiter().GetResult().Token!;
        _malformed = HostileTokens.Malformed(_current);
        _forged = HostileTokens.Forge(_current);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
    }

    [Benchmark(Baseline = true, Description = "CPU limit (the engine's primitives, reused hash objects)")]
    public bool CpuLimitReused() => _cpuLimit.Rotate();

    [Benchmark(Description = "CPU limit (one-shot APIs)")]
    public bool CpuLimitOneShot() => _cpuLimit.RotateOneShot();

    [Benchmark]
    public ValueTask<string> Rotate() => _hot.RotateNextAsync();

    [Benchmark]
    public ValueTask<string> RotateColdFamilies() => _cold.RotateNextAsync();

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
