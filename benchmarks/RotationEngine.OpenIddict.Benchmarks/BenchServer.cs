using System.Net;
using Duende.IdentityModel.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OpenIddictServer;

namespace RotationEngine.OpenIddict.Benchmarks;

/// <summary>One sample OpenIddict server on Kestrel (127.0.0.1) in one mode, with its own SQLite files, and the HTTP
/// client calls a real client makes. Both modes get the same access-token settings (RS256 JWTs, OpenIddict's access-token
/// entries) and the same SQLite file settings (WAL, synchronous=NORMAL).</summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BenchServer(WebApplication app, string directory, Uri address, RefreshTokenMode mode)
    {
        _app = app;
        Directory = directory;
        Mode = mode;
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { BaseAddress = address };
    }

    public RefreshTokenMode Mode { get; }

    public string Directory { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<BenchServer> StartAsync(RefreshTokenMode mode)
    {
        var directory = Path.Combine(Path.GetTempPath(), "re-oidc-bench", mode + "-" + Guid.NewGuid().ToString("N")[..8]);
        var app = AuthServer.Build(new AuthServerOptions { Mode = mode, DataDirectory = directory, WalForOpenIddict = true });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new BenchServer(app, directory, new Uri(address), mode);
    }

    /// <summary>A new session: its refresh token and access token.</summary>
    public async Task<TokenResponse> SignInAsync()
    {
        var response = await Http.RequestPasswordTokenAsync(new PasswordTokenRequest
        {
            Address = "connect/token",
            ClientId = AuthServer.PublicClient,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            UserName = AuthServer.Alice.Name,
            Password = AuthServer.Alice.Password,
            Scope = "offline_access email roles api",
        });
        return Check(response);
    }

    /// <summary>One refresh: the next refresh token.</summary>
    public async Task<string> RefreshAsync(string refreshToken)
    {
        var response = await Http.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = "connect/token",
            ClientId = AuthServer.PublicClient,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            RefreshToken = refreshToken,
        });
        return Check(response).RefreshToken!;
    }

    /// <summary>RFC 7009 revocation of a refresh token by its client.</summary>
    public async Task RevokeAsync(string refreshToken)
    {
        var response = await Http.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = "connect/revoke",
            ClientId = AuthServer.PublicClient,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            Token = refreshToken,
            TokenTypeHint = "refresh_token",
        });
        if (response.HttpStatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"Revocation failed: {response.HttpStatusCode} {response.Error}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static TokenResponse Check(TokenResponse response) =>
        response.IsError || response.RefreshToken is null
            ? throw new InvalidOperationException($"Token request failed: {response.HttpStatusCode} {response.Error} {response.ErrorDescription}")
            : response;
}
