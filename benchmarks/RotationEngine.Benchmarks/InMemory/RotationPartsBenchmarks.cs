using BenchmarkDotNet.Attributes;
using RotationEngine.Benchmarks.Infrastructure;
using RotationEngine.Internal;
using RotationEngine.Storage;

namespace RotationEngine.Benchmarks.InMemory;

/// <summary>
/// Rotate taken apart: each step of the hot path alone, to show where its time and its allocations go
/// (the sum is roughly one in-memory Rotate). The four HMACs are the CPU limit's.
/// </summary>
[MemoryDiagnoser]
public class RotationPartsBenchmarks
{
    private string _token = null!;
    private ParsedToken _parsed;
    private FamilyRecord _family = null!;
    private RotationCommand _command;
    private InMemoryFamilyStore _store = null!;
    private readonly byte[] _digest = new byte[FamilyColumns.DigestSize];
    private readonly byte[] _nextDigest = new byte[FamilyColumns.DigestSize];
    private SecretBuffer _next;
    private TagBuffer _nextTag;

    [GlobalSetup]
    public void Setup()
    {
        _store = new InMemoryFamilyStore();
        var engine = EngineFixture.Create(_store);
        _token = engine.IssueAsync(EngineFixture.Subject, EngineFixture.Rolling).AsTask().GetAwaiter().GetResult().Token;
        TokenCodec.TryParse(_token, out _parsed);
        _family = _store.Snapshot()[0];
        var now = _family.CreatedAt;
        if (!TokenCrypto.Verify(EngineFixture.Key, _parsed, _digest))
        {
            throw new InvalidOperationException("The issued token does not verify.");
        }

        TokenCrypto.DeriveChild(EngineFixture.Key, _parsed.FamilyId, 1, _parsed.Secret, _next);
        TokenCrypto.Mac(EngineFixture.Key, _parsed.FamilyId, 1, _parsed.IssuedAt, _next, _nextTag, _nextDigest);
        _command = new RotationCommand(_family.Id, 0, _family.Digest, _nextDigest, EngineFixture.Key.Id, EngineFixture.Rolling, null,
            FamilyColumns.Time(_parsed.IssuedAt), now, GraceLedger.NewSlot(now, _nextDigest));
    }

    [Benchmark]
    public bool Parse() => TokenCodec.TryParse(_token, out _);

    [Benchmark(Description = "VerifyTag (HMAC 1)")]
    public bool VerifyTag() => TokenCrypto.Verify(EngineFixture.Key, _parsed, _digest);

    [Benchmark(Description = "DeriveChild (HMAC 2)")]
    public byte DeriveChild()
    {
        var next = default(SecretBuffer);
        TokenCrypto.DeriveChild(EngineFixture.Key, _parsed.FamilyId, _parsed.Generation + 1, _parsed.Secret, next);
        return next[0];
    }

    [Benchmark(Description = "MacNextToken (HMAC 3)")]
    public byte MacNextToken()
    {
        var tag = default(TagBuffer);
        Span<byte> digest = stackalloc byte[FamilyColumns.DigestSize];
        TokenCrypto.Mac(EngineFixture.Key, _parsed.FamilyId, _parsed.Generation + 1, _parsed.IssuedAt, _next, tag, digest);
        return tag[0];
    }

    [Benchmark(Description = "VerifySeal (HMAC 4)")]
    public bool VerifySeal() => FamilySeal.Verify(EngineFixture.Key, _family);

    [Benchmark]
    public bool RecordWithinLimits() => InputRules.IsWithinLimits(_family);

    [Benchmark]
    public string Format() => TokenCodec.Format(EngineFixture.Key.Fingerprint, _parsed.FamilyId, _parsed.Generation + 1, _parsed.IssuedAt, _next, _nextTag);

    [Benchmark]
    public string LedgerSlot() => GraceLedger.NewSlot(_command.Now, _nextDigest);

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
