using System.Text;
using System.Text.Json;
using AuthServer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RotationEngine.AspNetCore.Benchmarks;

/// <summary>The sample auth server (its own AddAuthServer/MapAuthServer) on Kestrel at 127.0.0.1 with a free port,
/// SQLite in a temp directory, no rate limit, no logging; an HttpClient to it; and the same server's engine and JWT issuer
/// for the in-process measurements.</summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _directory;

    private BenchServer(WebApplication app, string directory, Uri address)
    {
        _app = app;
        _directory = directory;
        Http = new HttpClient { BaseAddress = address };
    }

    public HttpClient Http { get; }

    public RefreshTokenEngine Engine => _app.Services.GetRequiredService<RefreshTokenEngine>();

    public JwtAccessTokenIssuer Jwt => _app.Services.GetRequiredService<JwtAccessTokenIssuer>();

    public static async Task<BenchServer> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "re-aspnetcore-bench", Guid.NewGuid().ToString("N"));
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["AuthServer:DataDirectory"] = directory,
            ["AuthServer:RateLimitPerSecond"] = "0",
            ["RotationEngine:Clients:spa"] = "",
            ["RotationEngine:Clients:spa:AllowRefreshTokenGrant"] = "true",
            ["RotationEngine:Pruning:Enabled"] = "false",
        });
        builder.Logging.ClearProviders();
        builder.AddAuthServer();
        var app = builder.Build();
        app.MapAuthServer();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new BenchServer(app, directory, new Uri(address));
    }

    /// <summary>A new family for <c>spa</c>, through the engine (what the sign-in endpoint does).</summary>
    public async Task<string> IssueAsync(string? binding = null) =>
        (await Engine.IssueAsync("bench-user", "spa", binding, metadata: SignInEndpoint.DefaultScope)).Token;

    /// <summary>The token endpoint's absolute URI (what a DPoP proof's <c>htu</c> names).</summary>
    public Uri TokenUri => new(Http.BaseAddress!, "oauth/token");

    /// <summary>One refresh over HTTP (public client by client_id in the body), with a <c>DPoP</c> proof when given;
    /// returns the new refresh token.</summary>
    public async Task<string> RefreshOverHttpAsync(string token, string? proof = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "oauth/token")
        {
            Content = new ByteArrayContent(Encoding.ASCII.GetBytes("grant_type=refresh_token&client_id=spa&refresh_token=" + token)),
        };
        request.Content.Headers.ContentType = new("application/x-www-form-urlencoded");
        if (proof is not null)
        {
            request.Headers.Add("DPoP", proof);
        }

        using var response = await Http.SendAsync(request);
        await using var body = await response.Content.ReadAsStreamAsync();
        using var json = await JsonDocument.ParseAsync(body);
        return response.IsSuccessStatusCode
            ? json.RootElement.GetProperty("refresh_token").GetString()!
            : throw new InvalidOperationException($"refresh failed: {(int)response.StatusCode} {json.RootElement}");
    }

    /// <summary>One rotation through the engine on the same store, plus the same JWT the endpoint mints.</summary>
    public async Task<string> RotateAndMintAsync(string token)
    {
        var result = await Engine.RotateAsync(token, "spa");
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"rotation failed: {result}");
        }

        _ = Jwt.Mint(result.Subject!, "spa", result.FamilyId!.Value.ToString(), result.Metadata!);
        return result.Token!;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
