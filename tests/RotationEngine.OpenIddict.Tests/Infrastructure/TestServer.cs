using System.Security.Cryptography;
using Duende.IdentityModel.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using OpenIddictServer;
using RotationEngine;

namespace RotationEngine.OpenIddict.Tests.Infrastructure;

/// <summary>A real OpenIddict server on Kestrel (127.0.0.1, a free port) with its own SQLite files, and a real OAuth
/// client (Duende.IdentityModel) talking to it over HTTP.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    // One RSA key pair for every server of the test run, so that a server restarted on the same data (the switch
    // from OpenIddict's refresh tokens to the engine's) can still read OpenIddict's own tokens.
    private static readonly RsaSecurityKey SigningKey = new(RSA.Create(2048)) { KeyId = "tests-signing" };
    private static readonly RsaSecurityKey EncryptionKey = new(RSA.Create(2048)) { KeyId = "tests-encryption" };

    private readonly WebApplication _app;
    private readonly bool _ownsDirectory;

    private TestServer(WebApplication app, string directory, bool ownsDirectory, Uri address)
    {
        _app = app;
        DataDirectory = directory;
        _ownsDirectory = ownsDirectory;
        Address = address;
        Http = new HttpClient { BaseAddress = address };
    }

    public Uri Address { get; }

    public HttpClient Http { get; }

    public string DataDirectory { get; }

    public IServiceProvider Services => _app.Services;

    public TestUsers Users => _app.Services.GetRequiredService<TestUsers>();

    public RefreshTokenEngine Engine => _app.Services.GetRequiredService<RefreshTokenEngine>();

    public static async Task<TestServer> StartAsync(Action<AuthServerOptions>? configure = null, string? dataDirectory = null)
    {
        var directory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "re-oidc-tests", Guid.NewGuid().ToString("N"));
        var options = new AuthServerOptions { DataDirectory = directory, SigningKey = SigningKey, EncryptionKey = EncryptionKey };
        configure?.Invoke(options);
        var app = AuthServer.Build(options);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new TestServer(app, directory, dataDirectory is null, new Uri(address));
    }

    public Task<TokenResponse> SignInAsync(string clientId = AuthServer.PublicClient, string scope = "offline_access email roles api") =>
        Http.RequestPasswordTokenAsync(new PasswordTokenRequest
        {
            Address = "connect/token",
            ClientId = clientId,
            ClientSecret = Secret(clientId),
            ClientCredentialStyle = Style(clientId),
            UserName = AuthServer.Alice.Name,
            Password = AuthServer.Alice.Password,
            Scope = scope,
        });

    public Task<TokenResponse> RefreshAsync(string? refreshToken, string clientId = AuthServer.PublicClient, string? scope = null) =>
        Http.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = "connect/token",
            ClientId = clientId,
            ClientSecret = Secret(clientId),
            ClientCredentialStyle = Style(clientId),
            RefreshToken = refreshToken!,
            Scope = scope,
        });

    public Task<TokenRevocationResponse> RevokeAsync(string token, string clientId = AuthServer.PublicClient) =>
        Http.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = "connect/revoke",
            ClientId = clientId,
            ClientSecret = Secret(clientId),
            ClientCredentialStyle = Style(clientId),
            Token = token,
            TokenTypeHint = "refresh_token",
        });

    public Task<TokenIntrospectionResponse> IntrospectAsync(string token) =>
        Http.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = "connect/introspect",
            ClientId = AuthServer.ConfidentialClient,
            ClientSecret = AuthServer.ConfidentialSecret,
            Token = token,
        });

    /// <summary>A scalar from OpenIddict's own database file.</summary>
    public long QueryOpenIddict(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(DataDirectory, "openiddict.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public string? AuthorizationStatus() =>
        QueryOpenIddict("SELECT COUNT(*) FROM OpenIddictAuthorizations") == 0 ? null : QueryText("SELECT Status FROM OpenIddictAuthorizations ORDER BY CreationDate DESC LIMIT 1");

    public string? QueryText(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(DataDirectory, "openiddict.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() as string;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (_ownsDirectory)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string? Secret(string clientId) => clientId == AuthServer.ConfidentialClient ? AuthServer.ConfidentialSecret : null;

    // Public clients send their id in the body; Duende's default (Basic) is for clients with a secret.
    private static ClientCredentialStyle Style(string clientId) =>
        clientId == AuthServer.ConfidentialClient ? ClientCredentialStyle.AuthorizationHeader : ClientCredentialStyle.PostBody;
}
