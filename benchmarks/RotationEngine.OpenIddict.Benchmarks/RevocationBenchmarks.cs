using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using OpenIddictServer;
using RotationEngine.Tokens;

namespace RotationEngine.OpenIddict.Benchmarks;

/// <summary>
/// The cost of ending a session server-side once it has refreshed <see cref="RefreshesBehind"/> times (sign-out
/// everywhere, an administrator, a detected theft): with OpenIddict's own refresh tokens, revoke the session's
/// authorization and every token entry behind it (<c>RevokeByAuthorizationIdAsync</c>, what OpenIddict itself does on
/// reuse); with the engine, revoke its family (one row) and the authorization. Each invocation ends one session
/// that GlobalSetup built over HTTP. Also: RFC 7009 revocation of the current refresh token through the endpoint.
/// </summary>
public class RevocationBenchmarks
{
    // One per invocation: jitting, warm-up, 5 iterations and the memory diagnoser's extra run take 8; two spare.
    private const int Sessions = 10;
    private readonly ConcurrentQueue<(string RefreshToken, string AuthorizationId)> _sessions = new();
    private BenchServer? _server;

    /// <summary>How many refreshes the session made before it is revoked.</summary>
    [Params(10, 1000)]
    public int RefreshesBehind { get; set; }

    [GlobalSetup(Targets = [nameof(OpenIddictRevokeSession), nameof(OpenIddictRevocationEndpoint)])]
    public void SetupOpenIddict() => Setup(RefreshTokenMode.OpenIddict);

    [GlobalSetup(Targets = [nameof(RotationEngineRevokeSession), nameof(RotationEngineRevocationEndpoint)])]
    public void SetupEngine() => Setup(RefreshTokenMode.RotationEngine);

    [GlobalCleanup]
    public void Cleanup() => _server?.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true)]
    public async Task OpenIddictRevokeSession()
    {
        var (_, authorizationId) = Next();
        await using var scope = _server!.Services.CreateAsyncScope();
        var tokens = scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>();
        var authorizations = scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>();
        await authorizations.TryRevokeAsync((await authorizations.FindByIdAsync(authorizationId))!);
        await tokens.RevokeByAuthorizationIdAsync(authorizationId);
    }

    [Benchmark]
    public async Task RotationEngineRevokeSession()
    {
        var (refreshToken, authorizationId) = Next();
        await using var scope = _server!.Services.CreateAsyncScope();
        var engine = scope.ServiceProvider.GetRequiredService<RefreshTokenEngine>();
        var authorizations = scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>();
        TokenFormat.TryDecode(refreshToken, out var parts);
        await engine.RevokeFamilyAsync(parts!.FamilyId, RevocationReason.SignOut);
        await authorizations.TryRevokeAsync((await authorizations.FindByIdAsync(authorizationId))!);
    }

    [Benchmark]
    public Task OpenIddictRevocationEndpoint() => _server!.RevokeAsync(Next().RefreshToken);

    [Benchmark]
    public Task RotationEngineRevocationEndpoint() => _server!.RevokeAsync(Next().RefreshToken);

    private (string RefreshToken, string AuthorizationId) Next() => _sessions.TryDequeue(out var session)
        ? session
        : throw new InvalidOperationException($"GlobalSetup built {Sessions} sessions; the job ran more invocations (use InvocationCount 1 and at most {Sessions - 4} iterations).");

    private void Setup(RefreshTokenMode mode)
    {
        _server = BenchServer.StartAsync(mode).GetAwaiter().GetResult();
        var built = Enumerable.Range(0, Sessions).Select(_ => BuildAsync()).ToArray();
        Task.WaitAll(built);
    }

    private async Task BuildAsync()
    {
        var signIn = await _server!.SignInAsync();
        var authorizationId = System.Text.Json.JsonDocument.Parse(Convert.FromBase64String(Pad(signIn.AccessToken!.Split('.')[1])))
            .RootElement.GetProperty("oi_au_id").GetString()!;
        var token = signIn.RefreshToken!;
        for (var i = 0; i < RefreshesBehind; i++)
        {
            token = await _server.RefreshAsync(token);
        }

        _sessions.Enqueue((token, authorizationId));
    }

    private static string Pad(string base64Url)
    {
        var text = base64Url.Replace('-', '+').Replace('_', '/');
        return text + new string('=', (4 - (text.Length % 4)) % 4);
    }
}
