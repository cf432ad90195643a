using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Duende.IdentityModel.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RotationEngine.Storage;
using RotationEngine.Testing;
using RotationEngine.Testing.Faults;

namespace RotationEngine.AspNetCore.Tests.Infrastructure;

/// <summary>How the tests reach the sample server.</summary>
public enum Transport
{
    /// <summary>WebApplicationFactory's in-memory TestServer.</summary>
    TestServer,

    /// <summary>Real Kestrel on 127.0.0.1 with a free port, over real sockets.</summary>
    Kestrel,
}

/// <summary>
/// The sample auth server (samples/AuthServer, its own Program) started for a test: SQLite in a fresh temp directory,
/// the Production environment (so no ephemeral key), the clock a <see cref="FakeTimeProvider"/>, the store wrapped in a
/// kit's <see cref="FaultInjectingFamilyStore"/> (over a <see cref="CountingFamilyStore"/>), and a real OAuth client
/// (Duende.IdentityModel) talking to it.
/// </summary>
public sealed class AuthServerHost : IAsyncDisposable
{
    public const string Spa = "spa";
    public const string Other = "other-app";
    public const string Backend = "backend";
    public const string BackendSecret = "backend-secret-for-the-sample-only";
    public const string NoRefresh = "no-refresh";

    /// <summary>A confidential client whose id and secret need form-urlencoding inside Basic (RFC 6749 §2.3.1).</summary>
    public const string Odd = "odd%id+1";
    public const string OddSecret = "p@ss w+rd:%&=";

    private readonly Factory _factory;

    private AuthServerHost(Factory factory, HttpClient http)
    {
        _factory = factory;
        Http = http;
    }

    public HttpClient Http { get; }

    public FakeTimeProvider Time => _factory.Time;

    /// <summary>The store the engine calls: faults armed here reach the server under test.</summary>
    public FaultInjectingFamilyStore Store => (FaultInjectingFamilyStore)Services.GetRequiredService<IFamilyStore>();

    /// <summary>The engine's store calls that got past the faults, counted.</summary>
    public CountingFamilyStore Calls => (CountingFamilyStore)Store.Inner;

    public RefreshTokenEngine Engine => Services.GetRequiredService<RefreshTokenEngine>();

    public IServiceProvider Services => _factory.Services;

    public LogCollector Logs => _factory.Logs;

    public Transport Transport { get; }

    public static async Task<AuthServerHost> StartAsync(Transport transport, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, string? dataDirectory = null)
    {
        var factory = new Factory(settings, services, dataDirectory);
        HttpClient http;
        if (transport == Transport.Kestrel)
        {
            factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
            factory.StartServer();
            var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            http = new HttpClient { BaseAddress = new Uri(address) };
        }
        else
        {
            http = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        }

        await Task.CompletedTask;
        return new AuthServerHost(factory, http);
    }

    /// <summary>Signs a user in through the sample's fake sign-in; returns the token response's JSON.</summary>
    public async Task<JsonElement> SignInAsync(string user = "alice", string clientId = Spa, string? scope = null)
    {
        var form = new Dictionary<string, string> { ["username"] = user, ["client_id"] = clientId };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        using var response = await Http.PostAsync("signin", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<string> SignInTokenAsync(string user = "alice", string clientId = Spa, string? scope = null) =>
        (await SignInAsync(user, clientId, scope)).GetProperty("refresh_token").GetString()!;

    /// <summary>A refresh with Duende.IdentityModel's RequestRefreshTokenAsync (Basic by default, as Duende does).</summary>
    public Task<TokenResponse> RefreshAsync(string refreshToken, string clientId = Spa, string? secret = null, ClientCredentialStyle style = ClientCredentialStyle.AuthorizationHeader, string? scope = null) =>
        Http.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = "oauth/token",
            ClientId = clientId,
            ClientSecret = secret,
            ClientCredentialStyle = style,
            RefreshToken = refreshToken,
            Scope = scope,
        });

    public Task<TokenRevocationResponse> RevokeAsync(string token, string clientId = Spa, string? secret = null, string? hint = null, ClientCredentialStyle style = ClientCredentialStyle.AuthorizationHeader) =>
        Http.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = "oauth/revoke",
            ClientId = clientId,
            ClientSecret = secret,
            ClientCredentialStyle = style,
            Token = token,
            TokenTypeHint = hint!,
        });

    /// <summary>The family of a token as the engine reads it (never through the endpoints).</summary>
    public async Task<FamilyInfo> FamilyOfAsync(string token)
    {
        Assert.True(Tokens.TokenFormat.TryDecode(token, out var parts));
        return (await Engine.GetFamilyAsync(parts.FamilyId))!;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _factory.DisposeAsync();
        if (_factory.OwnsDirectory)
        {
            try
            {
                Directory.Delete(_factory.DataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private sealed class Factory(IDictionary<string, string?>? settings, Action<IServiceCollection>? configureServices, string? dataDirectory) : WebApplicationFactory<Program>
    {
        public string DataDirectory { get; } = dataDirectory ?? Path.Combine(Path.GetTempPath(), "re-aspnetcore-tests", Guid.NewGuid().ToString("N"));

        public bool OwnsDirectory => dataDirectory is null;

        public FakeTimeProvider Time { get; } = new(TimeProvider.System.GetUtcNow());

        public LogCollector Logs { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            var all = new Dictionary<string, string?>
            {
                ["AuthServer:DataDirectory"] = DataDirectory,
                ["AuthServer:RateLimitPerSecond"] = "0",
                ["RotationEngine:Clients:other-app:AllowRefreshTokenGrant"] = "true",
                ["RotationEngine:Clients:no-refresh:AllowRefreshTokenGrant"] = "false",
                ["RotationEngine:Clients:" + Odd + ":Secrets:0"] = OddSecret,
                ["RotationEngine:Pruning:Enabled"] = "false",
            };
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                all[key] = value;
            }

            foreach (var (key, value) in all)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
            builder.ConfigureTestServices(services =>
            {
                services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time));
                var store = services.Last(d => d.ServiceType == typeof(IFamilyStore));
                services.Remove(store);
                services.AddSingleton<IFamilyStore>(sp => new FaultInjectingFamilyStore(new CountingFamilyStore((IFamilyStore)store.ImplementationFactory!(sp))));
                configureServices?.Invoke(services);
            });
        }
    }
}
