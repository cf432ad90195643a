using BenchmarkDotNet.Attributes;
using RotationEngine.Benchmarks.Infrastructure;
using RotationEngine.Storage;

namespace RotationEngine.Benchmarks.InMemory;

/// <summary>
/// Invariant 12 (forgery is free): a forged token naming a real family — its real key fingerprint and family id, a
/// random secret and tag — claiming to be 1, 10,000 or 1,000,000 generations behind the family's current one. The
/// engine refuses it on its tag (<see cref="OutcomeCause.NotAuthentic"/>) before any store access, so the time must be
/// flat in the distance and the store must see no call. The family at 1,000,000 generations is created directly in the
/// in-memory store (<see cref="StoredFamilies"/>): the engine's own digest, ledger and seal, without a million
/// rotations. The setup checks the store behind a <see cref="CountingStore"/> and throws unless the forgery makes zero
/// calls, so a run that measures anything else fails.
/// </summary>
[MemoryDiagnoser]
public class ForgedTokenBenchmarks
{
    private CountingStore _store = null!;
    private RefreshTokenEngine _engine = null!;
    private string _forged = null!;
    private long _callsAtStart;

    [Params(1, 10_000, 1_000_000)]
    public int Behind { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _store = new CountingStore(new InMemoryFamilyStore());
        _engine = EngineFixture.Create(_store);
        var family = StoredFamilies.Create(_store.Inner, EngineFixture.Rolling, EngineFixture.RollingPolicy, Behind, chained: false);
        var id = family.Record.Id;

        // The family is real: the engine verifies its record at that generation, and its current token is authentic.
        var info = _engine.GetFamilyAsync(id).AsTask().GetAwaiter().GetResult();
        var current = _engine.InspectAsync(family.CurrentToken, EngineFixture.Rolling).AsTask().GetAwaiter().GetResult();
        if (info?.Generation != Behind || current.FamilyId != id || current.Outcome is not (RotationOutcome.Rotated or RotationOutcome.Expired))
        {
            throw new InvalidOperationException($"The stored family is not what the benchmark claims (generation {info?.Generation}, {current.Outcome} {current.Cause}).");
        }

        _forged = HostileTokens.Forge(EngineFixture.Key.Fingerprint, id, family.Record.Generation - Behind, FamilyColumns.Milliseconds(family.Record.CreatedAt));
        _callsAtStart = _store.Calls;
        for (var i = 0; i < 16; i++)
        {
            var result = _engine.RotateAsync(_forged, EngineFixture.Rolling).AsTask().GetAwaiter().GetResult();
            if (result.Outcome != RotationOutcome.Invalid || result.Cause != OutcomeCause.NotAuthentic)
            {
                throw new InvalidOperationException($"A forged token got {result.Outcome} ({result.Cause}), not Invalid (NotAuthentic).");
            }
        }

        if (_store.Calls != _callsAtStart)
        {
            throw new InvalidOperationException($"A forged token cost {_store.Calls - _callsAtStart} store calls; it must cost none (invariant 12).");
        }
    }

    [GlobalCleanup]
    public void Cleanup() =>
        // Printed into the BenchmarkDotNet log: every measured call too went without the store.
        Console.WriteLine($"// forged token {Behind:N0} behind: {_store.Calls - _callsAtStart} store calls during the measurement");

    [Benchmark(Description = "Reject a forged token with a real family id")]
    public async ValueTask<OutcomeCause> RejectForged()
    {
        var result = await _engine.RotateAsync(_forged, EngineFixture.Rolling);
        return result.Cause == OutcomeCause.NotAuthentic ? result.Cause : throw new InvalidOperationException($"Expected NotAuthentic, got {result.Cause}.");
    }
}
