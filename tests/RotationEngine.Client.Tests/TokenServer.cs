using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RotationEngine.Storage;

namespace RotationEngine.Client.Tests;

/// <summary>
/// A small auth server on real Kestrel (127.0.0.1, a free port) around the real engine: a refresh grant at /token and
/// a protected /api, with knobs that inject the faults a client must survive. Engine outcomes are recorded.
/// </summary>
public sealed class TokenServer : IAsyncDisposable
{
    public const string ClientId = "desktop";
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _accessTokens = new();
    private int _tokenRequests;

    private TokenServer(WebApplication app, RefreshTokenEngine engine)
    {
        _app = app;
        Engine = engine;
    }

    public RefreshTokenEngine Engine { get; }
    public Uri BaseAddress { get; private set; } = null!;
    public Uri TokenEndpoint => new(BaseAddress, "/token");
    public Uri Api => new(BaseAddress, "/api");
    public int TokenRequests => Volatile.Read(ref _tokenRequests);
    public ConcurrentQueue<RotationOutcome> Outcomes { get; } = new();
    public ConcurrentQueue<string> PresentedRefreshTokens { get; } = new();
    public ConcurrentQueue<string?> TokenRequestProofs { get; } = new();
    public ConcurrentQueue<(string? Authorization, string? Proof)> ApiRequests { get; } = new();

    /// <summary>Token requests still to answer 503 (with <see cref="RetryAfter"/>) before the engine sees them.</summary>
    public int Unavailable;
    public string? RetryAfter = "1";
    /// <summary>Token requests still to rotate and then drop (connection aborted, no answer): a lost response.</summary>
    public int DropAfterRotate;
    /// <summary>Answer every token request with this OAuth error (401 invalid_client for example).</summary>
    public string? ForcedError;
    /// <summary>Delay before handling a token request.</summary>
    public TimeSpan TokenDelay = TimeSpan.Zero;
    /// <summary>Lifetime of the access tokens minted (expires_in).</summary>
    public int AccessTokenSeconds = 300;
    /// <summary>Refuse every access token at /api (401).</summary>
    public bool RejectAll;

    public static async Task<TokenServer> StartAsync(RotationPolicy? policy = null)
    {
        var options = new RotationEngineOptions { DefaultPolicy = policy ?? RotationPolicy.Default };
        options.Keys.Add(new KeyOptions { Id = "test", Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        var engine = new RefreshTokenEngine(new InMemoryFamilyStore(), options);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var server = new TokenServer(app, engine);
        app.MapPost("/token", server.TokenAsync);
        app.MapGet("/api", server.ApiAsync);
        await app.StartAsync();
        server.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return server;
    }

    public async Task<string> SignInAsync(string user = "alice") => (await Engine.IssueAsync(user, ClientId)).Token;

    public void ExpireAllAccessTokens() => _accessTokens.Clear();

    private async Task TokenAsync(HttpContext http)
    {
        Interlocked.Increment(ref _tokenRequests);
        http.Response.Headers.CacheControl = "no-store";
        if (TokenDelay > TimeSpan.Zero)
        {
            await Task.Delay(TokenDelay);
        }

        IFormCollection form = await http.Request.ReadFormAsync();
        TokenRequestProofs.Enqueue(http.Request.Headers["DPoP"].FirstOrDefault());
        if (Interlocked.Decrement(ref Unavailable) >= 0)
        {
            http.Response.StatusCode = 503;
            if (RetryAfter is not null)
            {
                http.Response.Headers.RetryAfter = RetryAfter;
            }

            return;
        }

        if (ForcedError is { } forced)
        {
            http.Response.StatusCode = forced == "invalid_client" ? 401 : 400;
            await http.Response.WriteAsJsonAsync(new { error = forced });
            return;
        }

        if (form["grant_type"] != "refresh_token" || form["client_id"] != ClientId)
        {
            http.Response.StatusCode = 400;
            await http.Response.WriteAsJsonAsync(new { error = "invalid_request" });
            return;
        }

        string presented = form["refresh_token"].ToString();
        PresentedRefreshTokens.Enqueue(presented);
        RotationResult result = await Engine.RotateAsync(presented, ClientId, cancellationToken: CancellationToken.None);
        Outcomes.Enqueue(result.Outcome);
        if (Interlocked.Decrement(ref DropAfterRotate) >= 0)
        {
            http.Abort();               // the rotation happened; the answer is lost on the way
            return;
        }

        if (!result.Succeeded)
        {
            http.Response.StatusCode = 400;
            await http.Response.WriteAsJsonAsync(new { error = "invalid_grant" });
            return;
        }

        string accessToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        _accessTokens[accessToken] = TimeProvider.System.GetUtcNow().AddSeconds(AccessTokenSeconds);
        await http.Response.WriteAsJsonAsync(new
        {
            access_token = accessToken,
            token_type = "Bearer",
            expires_in = AccessTokenSeconds,
            refresh_token = result.Token,
            refresh_token_expires_in = (int)(result.TokenExpiresAt!.Value - TimeProvider.System.GetUtcNow()).TotalSeconds,
        });
    }

    private IResult ApiAsync(HttpContext http)
    {
        string? authorization = http.Request.Headers.Authorization.FirstOrDefault();
        ApiRequests.Enqueue((authorization, http.Request.Headers["DPoP"].FirstOrDefault()));
        string? token = authorization?.Split(' ', 2) is [_, var value] ? value : null;
        if (RejectAll || token is null || !_accessTokens.TryGetValue(token, out DateTimeOffset expiresAt) || expiresAt <= TimeProvider.System.GetUtcNow())
        {
            http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return Results.StatusCode(401);
        }

        return Results.Ok(new { ok = true });
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
