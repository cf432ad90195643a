using BenchmarkDotNet.Attributes;
using RotationEngine.Benchmarks.Infrastructure;
using RotationEngine.Internal;
using RotationEngine.Storage;

namespace RotationEngine.Benchmarks.InMemory;

/// <summary>
/// Rotate taken apart: each step of the hot path alone, to show where its time and its allocations go
/// (the sum is roughly one in-memory Rotate).
/// </summary>
[MemoryDiagnoser]
public class RotationPartsBenchmarks
{
    private string _token = null!;
    private ParsedToken _parsed;
    private FamilyRecord _family = null!;
    private RotationCommand _command;
    private InMemoryFamilyStore _store = null!;

    [GlobalSetup]
    public void Setup()
    {
        _store = new InMemoryFamilyStore();
        var engine = EngineFixture.Create(_store);
        _token = engine.IssueAsync(EngineFixture.Subject, EngineFixture.Rolling).AsTask().GetAwaiter().GetResult().Token;
        TokenCodec.TryParse(_token, out _parsed);
        _family = _store.Snapshot()[0];
        var now = _family.CreatedAt;
        _command = new RotationCommand(_family.Id, 0, _family.Digest, HashChain.Digest(_parsed.Secret), EngineFixture.Key.Id, null, now, GraceLedger.NewSlot(now));
    }

    [Benchmark]
    public bool Parse() => TokenCodec.TryParse(_token, out _);

    [Benchmark]
    public string Format() => TokenCodec.Format(_parsed.FamilyId, _parsed.Generation + 1, _parsed.Secret);

    [Benchmark]
    public byte DeriveChild()
    {
        var next = default(SecretBuffer);
        HashChain.DeriveChild(EngineFixture.Key, _parsed.FamilyId, _parsed.Generation + 1, _parsed.Secret, next);
        return next[0];
    }

    [Benchmark]
    public byte[] Digest() => HashChain.Digest(_parsed.Secret);

    [Benchmark]
    public string LedgerSlot() => GraceLedger.NewSlot(_command.Now);

    [Benchmark]
    public FamilyRecord ApplyCommand() => _command.Matches(_family) ? _command.ApplyTo(_family) : _family;

    [Benchmark]
    public TimeSpan ClockAndTimestamps()
    {
        var started = TimeProvider.System.GetTimestamp();
        _ = DateTimeOffset.FromUnixTimeMilliseconds(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds());
        return TimeProvider.System.GetElapsedTime(started);
    }
}
