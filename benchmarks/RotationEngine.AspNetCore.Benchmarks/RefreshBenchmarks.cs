using BenchmarkDotNet.Attributes;

namespace RotationEngine.AspNetCore.Benchmarks;

/// <summary>
/// One refresh, four ways, on one server and one SQLite file: the engine's RotateAsync alone (baseline), the JWT
/// minting alone, both together (what the endpoint does besides HTTP), and the refresh grant over HTTP on loopback
/// Kestrel (form parsing, client authentication, rotation, JWT, JSON, the HTTP client). Each benchmark keeps its own
/// token chain and starts a new family every 50,000 rotations (far below MaxGenerations). The two DPoP cases are the
/// same HTTP refresh of a family bound to the client's key, the client making a fresh proof for every request (ES256
/// with the shipped <c>DPoPProofProvider</c>, RS256 with a 2048-bit key): a bound refresh end to end.
/// </summary>
[MemoryDiagnoser]
public class RefreshBenchmarks
{
    private const int NewFamilyEvery = 50_000;
    private BenchServer _server = null!;
    private string _engineToken = null!;
    private string _pairToken = null!;
    private string _httpToken = null!;
    private int _engineCount;
    private int _pairCount;
    private int _httpCount;
    private BenchProofs _es256 = null!;
    private BenchProofs _rs256 = null!;
    private string _es256Token = null!;
    private string _rs256Token = null!;
    private int _es256Count;
    private int _rs256Count;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await BenchServer.StartAsync();
        _engineToken = await _server.IssueAsync();
        _pairToken = await _server.IssueAsync();
        _httpToken = await _server.IssueAsync();
        _es256 = BenchProofs.Es256(TimeProvider.System);
        _rs256 = BenchProofs.Rs256();
        _es256Token = await _server.IssueAsync(_es256.Thumbprint);
        _rs256Token = await _server.IssueAsync(_rs256.Thumbprint);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _es256.Dispose();
        _rs256.Dispose();
        await _server.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "engine RotateAsync (SQLite)")]
    public async Task EngineRotate()
    {
        if (++_engineCount % NewFamilyEvery == 0)
        {
            _engineToken = await _server.IssueAsync();
        }

        var result = await _server.Engine.RotateAsync(_engineToken, "spa");
        _engineToken = result.Token ?? throw new InvalidOperationException(result.ToString());
    }

    [Benchmark(Description = "JWT minting (ES256)")]
    public string JwtMint() => _server.Jwt.Mint("bench-user", "spa", "0123456789abcdef0123456789abcdef", AuthServer.SignInEndpoint.DefaultScope);

    [Benchmark(Description = "engine RotateAsync + JWT")]
    public async Task EngineRotatePlusJwt()
    {
        if (++_pairCount % NewFamilyEvery == 0)
        {
            _pairToken = await _server.IssueAsync();
        }

        _pairToken = await _server.RotateAndMintAsync(_pairToken);
    }

    [Benchmark(Description = "refresh grant over HTTP (loopback Kestrel)")]
    public async Task HttpRefresh()
    {
        if (++_httpCount % NewFamilyEvery == 0)
        {
            _httpToken = await _server.IssueAsync();
        }

        _httpToken = await _server.RefreshOverHttpAsync(_httpToken);
    }

    [Benchmark(Description = "DPoP-bound refresh over HTTP (ES256 proof per request)")]
    public async Task HttpRefreshDPoPEs256()
    {
        if (++_es256Count % NewFamilyEvery == 0)
        {
            _es256Token = await _server.IssueAsync(_es256.Thumbprint);
        }

        _es256Token = await _server.RefreshOverHttpAsync(_es256Token, _es256.Proof(_server.TokenUri, TimeProvider.System.GetUtcNow()));
    }

    [Benchmark(Description = "DPoP-bound refresh over HTTP (RS256 proof per request)")]
    public async Task HttpRefreshDPoPRs256()
    {
        if (++_rs256Count % NewFamilyEvery == 0)
        {
            _rs256Token = await _server.IssueAsync(_rs256.Thumbprint);
        }

        _rs256Token = await _server.RefreshOverHttpAsync(_rs256Token, _rs256.Proof(_server.TokenUri, TimeProvider.System.GetUtcNow()));
    }
}
