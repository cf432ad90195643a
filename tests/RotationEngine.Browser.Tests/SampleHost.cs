using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RotationEngine.AspNetCore.AccessTokens;
using RotationEngine.Events;
using RotationEngine.Storage;
using RotationEngine.Testing.Faults;

namespace RotationEngine.Browser.Tests;

/// <summary>
/// The sample auth server (samples/AuthServer, SQLite in a temporary directory) on real Kestrel at
/// http://127.0.0.1:PORT — a secure context, so Chromium keeps <c>Secure</c> cookies. Engine events are recorded.
/// </summary>
public class SampleHost : WebApplicationFactory<Program>
{
    private readonly string _data = Directory.CreateTempSubdirectory("rotation-browser-").FullName;
    private readonly IReadOnlyDictionary<string, string?> _settings;

    /// <param name="settings">Configuration overrides (e.g. "RotationEngine:Cookies:StaleCookieDefence").</param>
    /// <param name="replayDelay">Delay added to every grace replay's answer (a slow access-token mint): the slow
    /// replay of the stale-cookie hazard.</param>
    public SampleHost(IReadOnlyDictionary<string, string?>? settings = null, TimeSpan replayDelay = default)
    {
        _settings = settings ?? new Dictionary<string, string?>();
        ReplayDelay = replayDelay;
        UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        StartServer();
        BaseAddress = new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public Uri BaseAddress { get; }
    public TimeSpan ReplayDelay { get; }
    public RefreshTokenEngine Engine => Services.GetRequiredService<RefreshTokenEngine>();
    public FaultInjectingFamilyStore Store => (FaultInjectingFamilyStore)Services.GetRequiredService<IFamilyStore>();
    public ConcurrentQueue<RotationEvent> Events { get; } = new();

    public int Count(RotationOutcome outcome) => Events.Count(e => e.Outcome == outcome);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("AuthServer:DataDirectory", _data);
        builder.UseSetting("AuthServer:RateLimitPerSecond", "0");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach ((string key, string? value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IRotationEventObserver>(new Recorder(Events));
            ServiceDescriptor store = services.Last(d => d.ServiceType == typeof(IFamilyStore));
            services.Remove(store);
            services.AddSingleton<IFamilyStore>(sp => new FaultInjectingFamilyStore((IFamilyStore)store.ImplementationFactory!(sp)));
            if (ReplayDelay > TimeSpan.Zero)
            {
                ServiceDescriptor issuer = services.Last(d => d.ServiceType == typeof(IAccessTokenIssuer));
                services.RemoveAll<IAccessTokenIssuer>();
                services.AddSingleton<IAccessTokenIssuer>(sp => new SlowReplayIssuer(
                    (IAccessTokenIssuer)(issuer.ImplementationFactory?.Invoke(sp) ?? issuer.ImplementationInstance ?? ActivatorUtilities.CreateInstance(sp, issuer.ImplementationType!)),
                    ReplayDelay));
            }
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class Recorder(ConcurrentQueue<RotationEvent> events) : IRotationEventObserver
    {
        public void OnEvent(RotationEvent rotationEvent) => events.Enqueue(rotationEvent);
    }

    /// <summary>Answers grace replays late, as a slow access-token mint or a slow network path would.</summary>
    private sealed class SlowReplayIssuer(IAccessTokenIssuer inner, TimeSpan delay) : IAccessTokenIssuer
    {
        public async ValueTask<AccessTokenResult> IssueAsync(AccessTokenRequest request, CancellationToken cancellationToken = default)
        {
            if (request.IsGraceReplay)
            {
                await Task.Delay(delay, CancellationToken.None);
            }

            return await inner.IssueAsync(request, cancellationToken);
        }
    }
}
