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

    /// <summary>Every access token the token endpoint asked the issuer for: the engine answered Rotated (or, with
    /// <see cref="IssuedAccessToken.IsGraceReplay"/>, GraceReplay), which raises no <see cref="RotationEvent"/>.</summary>
    public ConcurrentQueue<IssuedAccessToken> AccessTokens { get; } = new();

    /// <summary>The engine's Rotated answers (the access tokens that were not grace replays).</summary>
    public IssuedAccessToken[] Rotations => [.. AccessTokens.Where(a => !a.IsGraceReplay)];

    /// <summary>The recorded events of one outcome (a plain rotation raises none: see <see cref="Rotations"/>).</summary>
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
            ServiceDescriptor issuer = services.Last(d => d.ServiceType == typeof(IAccessTokenIssuer));
            services.RemoveAll<IAccessTokenIssuer>();
            services.AddSingleton<IAccessTokenIssuer>(sp => new RecordingIssuer(
                (IAccessTokenIssuer)(issuer.ImplementationFactory?.Invoke(sp) ?? issuer.ImplementationInstance ?? ActivatorUtilities.CreateInstance(sp, issuer.ImplementationType!)),
                ReplayDelay,
                AccessTokens));
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

    /// <summary>Records what the engine handed the issuer; answers grace replays late when asked to, as a slow
    /// access-token mint or a slow network path would (the stale-cookie hazard's slow replay).</summary>
    private sealed class RecordingIssuer(IAccessTokenIssuer inner, TimeSpan delay, ConcurrentQueue<IssuedAccessToken> issued) : IAccessTokenIssuer
    {
        public async ValueTask<AccessTokenResult> IssueAsync(AccessTokenRequest request, CancellationToken cancellationToken = default)
        {
            issued.Enqueue(new IssuedAccessToken(request.FamilyId, request.ClientId, request.Binding, request.IsGraceReplay));
            if (request.IsGraceReplay && delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, CancellationToken.None);
            }

            return await inner.IssueAsync(request, cancellationToken);
        }
    }
}

/// <summary>One access token the sample's token endpoint asked for: the engine's answer, as the issuer saw it.</summary>
public sealed record IssuedAccessToken(FamilyId FamilyId, string ClientId, string? Binding, bool IsGraceReplay);
