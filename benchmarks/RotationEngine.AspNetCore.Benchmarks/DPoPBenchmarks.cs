using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using RotationEngine.AspNetCore.DPoP;
using RotationEngine.DPoP;

namespace RotationEngine.AspNetCore.Benchmarks;

/// <summary>
/// The parts of a DPoP-bound refresh, in process: the server's proof validation (ES256 and RS256, on a request like the
/// token endpoint's, replay cache excluded), the in-memory replay cache's insert at 1,000 proofs per second, and the
/// client's proof creation. The clock stands still at the proofs' <c>iat</c> so that one proof stays valid for the run;
/// the replay cache is measured apart because a real one refuses the second use of a proof.
/// </summary>
[MemoryDiagnoser]
public class DPoPBenchmarks
{
    private static readonly Uri TokenUri = new("http://127.0.0.1:5089/oauth/token");
    private readonly FixedTime _time = new(DateTimeOffset.UnixEpoch.AddYears(56));
    private BenchProofs _es256 = null!;
    private BenchProofs _rs256 = null!;
    private DPoPProofValidator _validator = null!;
    private HttpRequest _es256Request = null!;
    private HttpRequest _rs256Request = null!;
    private InMemoryDPoPReplayCache _cache = null!;
    private DateTimeOffset _cacheNow;
    private ulong _cacheKey;

    [GlobalSetup]
    public void Setup()
    {
        _es256 = BenchProofs.Es256(_time);
        _rs256 = BenchProofs.Rs256();
        var options = Options.Create(new DPoPOptions());
        _validator = new DPoPProofValidator(options, new AcceptingReplayCache(), new DPoPNonces(options, _time), _time);
        _es256Request = Request(_es256.Proof(TokenUri, _time.GetUtcNow()));
        _rs256Request = Request(_rs256.Proof(TokenUri, _time.GetUtcNow()));
        _cache = new InMemoryDPoPReplayCache();
        _cacheNow = _time.GetUtcNow();
        if (!ValidateEs256().Result.IsValid || !ValidateRs256().Result.IsValid)
        {
            throw new InvalidOperationException("The benchmark's proofs do not validate.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _es256.Dispose();
        _rs256.Dispose();
    }

    [Benchmark(Description = "validate an ES256 proof (server)")]
    public ValueTask<DPoPProofResult> ValidateEs256() => _validator.ValidateAsync(_es256Request);

    [Benchmark(Description = "validate an RS256 proof (server)")]
    public ValueTask<DPoPProofResult> ValidateRs256() => _validator.ValidateAsync(_rs256Request);

    /// <summary>One insert of a new proof key, the clock advancing 1 ms per insert: a steady state of 65,000 live entries
    /// (1,000 proofs per second, each kept 65 s), expired ones swept by the cache as it goes.</summary>
    [Benchmark(Description = "replay cache insert (in memory, 1,000/s steady state)")]
    public ValueTask<bool> ReplayCacheInsert()
    {
        _cacheNow = _cacheNow.AddMilliseconds(1);
        var key = ++_cacheKey;
        return _cache.TryAddAsync(new UInt128(key * 0x9E3779B97F4A7C15, key), _cacheNow, _cacheNow.AddSeconds(65));
    }

    [Benchmark(Description = "make an ES256 proof (client)")]
    public string MakeEs256() => _es256.Proof(TokenUri, _time.GetUtcNow());

    [Benchmark(Description = "make an RS256 proof (client)")]
    public string MakeRs256() => _rs256.Proof(TokenUri, _time.GetUtcNow());

    private static HttpRequest Request(string proof)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString(TokenUri.Authority);
        context.Request.Path = TokenUri.AbsolutePath;
        context.Request.Headers["DPoP"] = proof;
        return context.Request;
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>Accepts every proof: the validation alone is measured (the cache has its own benchmark).</summary>
    private sealed class AcceptingReplayCache : IDPoPReplayCache
    {
        public ValueTask<bool> TryAddAsync(UInt128 proofKey, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(true);
    }
}
