using BenchmarkDotNet.Attributes;
using RotationEngine.Benchmarks.Infrastructure;

namespace RotationEngine.Benchmarks.InMemory;

/// <summary>
/// Reuse detection (strict policy, no grace): the generation-0 token of a family 1, 100 or 10,000 generations ahead.
/// The first presentation revokes the family, and only it walks the chain from the token to the current digest (one
/// HMAC per generation: the proof that the token is of this family, docs/semantics.md §3), so it is linear in the
/// distance; a second presentation of the revoked family is answered from the record (<see cref="RotationOutcome.Revoked"/>)
/// and is flat. A detection changes its family, so every iteration of the first kind presents the tokens of families
/// prepared for it; the second kind presents the tokens of families revoked in the setup, again and again.
/// </summary>
[MemoryDiagnoser]
public class ReuseDetectedBenchmarks
{
    private const int FamiliesBehind1 = 512;
    private const int FamiliesBehind100 = 128;
    private const int FamiliesBehind10000 = 4;
    private const int RevokedFamilies = 16;

    private BenchmarkStore _store = null!;
    private RefreshTokenEngine _engine = null!;
    private string[] _tokens = [];
    private readonly Dictionary<int, string[]> _revoked = [];
    private readonly int[] _nextRevoked = new int[3];

    [ParamsSource(nameof(Stores))]
    public StoreKind Store { get; set; }

    public static IEnumerable<StoreKind> Stores => BenchmarkStore.Available;

    [GlobalSetup]
    public void Setup()
    {
        _store = BenchmarkStore.Create(Store);
        _engine = EngineFixture.Create(_store.Store);
        foreach (var behind in new[] { 1, 100, 10_000 })
        {
            var tokens = Prepare(RevokedFamilies, behind);
            foreach (var token in tokens)
            {
                EngineFixture.Expect(_engine.RotateAsync(token, EngineFixture.Strict).AsTask().GetAwaiter().GetResult(), RotationOutcome.ReuseDetected);
            }

            _revoked[behind] = tokens;
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _store.Dispose();

    [IterationSetup(Target = nameof(Behind1))]
    public void Prepare1() => _tokens = Prepare(FamiliesBehind1, 1);

    [IterationSetup(Target = nameof(Behind100))]
    public void Prepare100() => _tokens = Prepare(FamiliesBehind100, 100);

    [IterationSetup(Target = nameof(Behind10000))]
    public void Prepare10000() => _tokens = Prepare(FamiliesBehind10000, 10_000);

    [Benchmark(OperationsPerInvoke = FamiliesBehind1, Description = "ReuseDetected (revoking walk), 1 behind")]
    public Task Behind1() => DetectAll();

    [Benchmark(OperationsPerInvoke = FamiliesBehind100, Description = "ReuseDetected (revoking walk), 100 behind")]
    public Task Behind100() => DetectAll();

    [Benchmark(OperationsPerInvoke = FamiliesBehind10000, Description = "ReuseDetected (revoking walk), 10,000 behind")]
    public Task Behind10000() => DetectAll();

    [Benchmark(Description = "Revoked family presented again, 1 behind")]
    public ValueTask<RotationOutcome> RevokedBehind1() => PresentRevoked(0, 1);

    [Benchmark(Description = "Revoked family presented again, 100 behind")]
    public ValueTask<RotationOutcome> RevokedBehind100() => PresentRevoked(1, 100);

    [Benchmark(Description = "Revoked family presented again, 10,000 behind")]
    public ValueTask<RotationOutcome> RevokedBehind10000() => PresentRevoked(2, 10_000);

    private async Task DetectAll()
    {
        foreach (var token in _tokens)
        {
            EngineFixture.Expect(await _engine.RotateAsync(token, EngineFixture.Strict), RotationOutcome.ReuseDetected);
        }
    }

    private async ValueTask<RotationOutcome> PresentRevoked(int slot, int behind)
    {
        var tokens = _revoked[behind];
        var i = _nextRevoked[slot];
        _nextRevoked[slot] = i + 1 == tokens.Length ? 0 : i + 1;
        return EngineFixture.Expect(await _engine.RotateAsync(tokens[i], EngineFixture.Strict), RotationOutcome.Revoked).Outcome;
    }

    /// <summary>Stores families exactly as <paramref name="behind"/> rotations would leave them (see
    /// <see cref="StoredFamilies"/>) and returns their generation-0 tokens. Building the state directly costs one
    /// HMAC per generation instead of a store write per rotation.</summary>
    private string[] Prepare(int families, int behind)
    {
        var tokens = new string[families];
        for (var f = 0; f < families; f++)
        {
            tokens[f] = StoredFamilies.Create(_store.Store, EngineFixture.Strict, EngineFixture.StrictPolicy, behind, chained: true).OldestToken;
        }

        return tokens;
    }
}
