using BenchmarkDotNet.Attributes;
using OpenIddictServer;

namespace RotationEngine.OpenIddict.Benchmarks;

/// <summary>
/// Refreshes per second end to end: a real client posting <c>grant_type=refresh_token</c> over HTTP on loopback to a real
/// OpenIddict 7.8 server, which validates the refresh token, signs a new RS256 access token (and stores OpenIddict's
/// access-token entry), and returns a new refresh token. Baseline: OpenIddict's own refresh tokens (a token entry per
/// refresh token, redeemed on use). Each invocation makes 8 refreshes: one client 8 in a row, or 8 clients (8 sessions)
/// one each at the same time.
/// </summary>
[MemoryDiagnoser]
public class RefreshBenchmarks
{
    private const int Refreshes = 8;
    private BenchServer? _server;
    private string[] _tokens = [];

    /// <summary>How many clients refresh at the same time (each with its own session).</summary>
    [Params(1, 8)]
    public int Clients { get; set; }

    [GlobalSetup(Target = nameof(OpenIddictRefreshTokens))]
    public void SetupOpenIddict() => Setup(RefreshTokenMode.OpenIddict);

    [GlobalSetup(Target = nameof(RotationEngineRefreshTokens))]
    public void SetupEngine() => Setup(RefreshTokenMode.RotationEngine);

    [GlobalCleanup]
    public void Cleanup() => _server?.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, OperationsPerInvoke = Refreshes)]
    public Task OpenIddictRefreshTokens() => RunAsync();

    [Benchmark(OperationsPerInvoke = Refreshes)]
    public Task RotationEngineRefreshTokens() => RunAsync();

    private void Setup(RefreshTokenMode mode)
    {
        _server = BenchServer.StartAsync(mode).GetAwaiter().GetResult();
        _tokens = Enumerable.Range(0, Clients).Select(_ => _server.SignInAsync().GetAwaiter().GetResult().RefreshToken!).ToArray();
    }

    private Task RunAsync() => Task.WhenAll(Enumerable.Range(0, Clients).Select(ClientAsync));

    private async Task ClientAsync(int client)
    {
        for (var i = 0; i < Refreshes / Clients; i++)
        {
            _tokens[client] = await _server!.RefreshAsync(_tokens[client]);
        }
    }
}
