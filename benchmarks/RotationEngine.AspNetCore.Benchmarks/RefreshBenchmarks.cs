using BenchmarkDotNet.Attributes;

namespace RotationEngine.AspNetCore.Benchmarks;

/// <summary>
/// One refresh, four ways, on one server and one SQLite file: the engine's RotateAsync alone (baseline), the JWT
/// minting alone, both together (what the endpoint does besides HTTP), and the refresh grant over HTTP on loopback
/// Kestrel (form parsing, client authentication, rotation, JWT, JSON, the HTTP client). Each benchmark keeps its own
/// token chain and starts a new family every 50,000 rotations (far below MaxGenerations).
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

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await BenchServer.StartAsync();
        _engineToken = await _server.IssueAsync();
        _pairToken = await _server.IssueAsync();
        _httpToken = await _server.IssueAsync();
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _server.DisposeAsync();

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
}
