using BenchmarkDotNet.Attributes;
using RotationEngine.Benchmarks.Infrastructure;
using RotationEngine.Internal;
using RotationEngine.Storage;

namespace RotationEngine.Benchmarks.InMemory;

/// <summary>
/// Reuse detection: a token 1, 100 or 10,000 generations behind is presented (strict policy, no grace). The
/// engine walks the chain from it to the current generation (one HMAC per generation) to prove it authentic,
/// then revokes the family. Each detection revokes its family, so every iteration presents the generation-0
/// token of families prepared for it.
/// </summary>
[MemoryDiagnoser]
public class ReuseDetectedBenchmarks
{
    private const int FamiliesBehind1 = 512;
    private const int FamiliesBehind100 = 128;
    private const int FamiliesBehind10000 = 4;

    private BenchmarkStore _store = null!;
    private RefreshTokenEngine _engine = null!;
    private RotationPolicy _strict = null!;
    private string[] _tokens = [];

    [ParamsSource(nameof(Stores))]
    public StoreKind Store { get; set; }

    public static IEnumerable<StoreKind> Stores => BenchmarkStore.Available;

    [GlobalSetup]
    public void Setup()
    {
        _store = BenchmarkStore.Create(Store);
        _engine = EngineFixture.Create(_store.Store);
        _strict = EngineFixture.StrictPolicy;
    }

    [GlobalCleanup]
    public void Cleanup() => _store.Dispose();

    [IterationSetup(Target = nameof(Behind1))]
    public void Prepare1() => _tokens = Prepare(FamiliesBehind1, 1);

    [IterationSetup(Target = nameof(Behind100))]
    public void Prepare100() => _tokens = Prepare(FamiliesBehind100, 100);

    [IterationSetup(Target = nameof(Behind10000))]
    public void Prepare10000() => _tokens = Prepare(FamiliesBehind10000, 10_000);

    [Benchmark(OperationsPerInvoke = FamiliesBehind1, Description = "ReuseDetected, 1 behind")]
    public Task Behind1() => DetectAll();

    [Benchmark(OperationsPerInvoke = FamiliesBehind100, Description = "ReuseDetected, 100 behind")]
    public Task Behind100() => DetectAll();

    [Benchmark(OperationsPerInvoke = FamiliesBehind10000, Description = "ReuseDetected, 10,000 behind")]
    public Task Behind10000() => DetectAll();

    private async Task DetectAll()
    {
        foreach (var token in _tokens)
        {
            EngineFixture.Expect(await _engine.RotateAsync(token), RotationOutcome.ReuseDetected);
        }
    }

    /// <summary>Stores families exactly as <paramref name="behind"/> rotations would leave them (current
    /// digest, generation and ledger) and returns their generation-0 tokens. Building the state directly costs
    /// one HMAC per generation instead of a store write per rotation.</summary>
    private string[] Prepare(int families, int behind)
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds());
        var tokens = new string[families];
        for (var f = 0; f < families; f++)
        {
            var id = FamilyId.New();
            var first = default(SecretBuffer);
            HashChain.FillRandom(first);
            var current = first;
            for (var generation = 1; generation <= behind; generation++)
            {
                HashChain.DeriveChild(EngineFixture.Key, id, generation, current, current);
            }

            var ledger = "";
            for (var slot = 0; slot < Math.Min(behind, _strict.GraceDepth + 1); slot++)
            {
                ledger = GraceLedger.Shift(GraceLedger.NewSlot(now), ledger, _strict.GraceDepth);
            }

            _store.Store.CreateAsync(new FamilyRecord
            {
                Id = id,
                Subject = EngineFixture.Subject,
                ClientId = EngineFixture.Strict,
                KeyId = EngineFixture.Key.Id,
                CreatedAt = now,
                FamilyExpiresAt = now + _strict.FamilyLifetime,
                TokenExpiresAt = now + _strict.TokenLifetime,
                Generation = behind,
                Digest = HashChain.Digest(current),
                Ledger = ledger,
                Policy = _strict,
            }).AsTask().GetAwaiter().GetResult();
            tokens[f] = TokenCodec.Format(id, 0, first);
        }

        return tokens;
    }
}
