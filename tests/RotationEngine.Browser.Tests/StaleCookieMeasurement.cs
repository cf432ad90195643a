using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace RotationEngine.Browser.Tests;

/// <summary>
/// The stale-cookie hazard in the browser: three views loop over refreshes independently ("overlap": no barrier
/// between rounds), so a refresh of one view can start while another's replay is still on its way back. After each
/// burst the jar's cookie is inspected: not the family's current token = stale (the next refresh after the grace
/// window would be reuse and end the session). A burst whose refreshes failed (reuse detected while it ran) counts
/// as a logout, and the page signs in again.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class StaleCookieMeasurement(BrowserFixture browser, ITestOutputHelper output)
{
    private static int Bursts => int.TryParse(Environment.GetEnvironmentVariable("ROTATION_COOKIE_BURSTS"), CultureInfo.InvariantCulture, out int n) ? n : 20;

    public sealed record Config(string Name, string Defence, TimeSpan RecheckDelay, TimeSpan ReplayDelay, bool Locks, bool Gate = false);

    public sealed record Measured(Config Config, int Bursts, int Refreshes, int Stale, int Logouts, int Replays, int Reuses);

    internal async Task<Measured> MeasureAsync(Config config, int bursts)
    {
        var settings = new Dictionary<string, string?>
        {
            ["RotationEngine:Cookies:StaleCookieDefence"] = config.Defence,
            ["RotationEngine:Cookies:RecheckDelay"] = config.RecheckDelay.ToString("c", CultureInfo.InvariantCulture),
        };
        using var host = config.Gate ? new GatedSampleHost(settings, config.ReplayDelay) : new SampleHost(settings, config.ReplayDelay);
        await using DemoPage page = await DemoPage.OpenAsync(browser.Browser, host);
        await page.SignInAsync();
        int stale = 0, logouts = 0, refreshes = 0;
        for (int burst = 0; burst < bursts; burst++)
        {
            RunResult result = await page.RunAsync(3, config.Locks, overlap: true);
            refreshes += result.Ok + result.Failed;
            if (result.Failed > 0)
            {
                logouts++;
                await page.SignInAsync();
                continue;
            }

            BrowserContextCookiesResult? cookie = await page.RefreshCookieAsync();
            RotationResult inspected = await host.Engine.InspectAsync(cookie?.Value, "spa");
            if (inspected.Outcome != RotationOutcome.Rotated)
            {
                stale++;
                // Heal within the grace window, so that the next burst starts from a current cookie.
                await page.RunAsync(1, locks: true);
            }
        }

        return new Measured(config, bursts, refreshes, stale, logouts, host.Count(RotationOutcome.GraceReplay), host.Count(RotationOutcome.ReuseDetected));
    }

    public static readonly Config[] Configs =
    [
        new("no defence, no locks", "None", TimeSpan.Zero, TimeSpan.Zero, Locks: false),
        new("no defence, no locks, slow replay", "None", TimeSpan.Zero, TimeSpan.FromMilliseconds(30), Locks: false),
        new("per-family gate, no locks, slow replay", "None", TimeSpan.Zero, TimeSpan.FromMilliseconds(30), Locks: false, Gate: true),
        new("re-check 0 ms, no locks, slow replay", "Recheck", TimeSpan.Zero, TimeSpan.FromMilliseconds(30), Locks: false),
        new("re-check 20 ms, no locks, slow replay", "Recheck", TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(30), Locks: false),
        new("re-check 20 ms, no locks", "Recheck", TimeSpan.FromMilliseconds(20), TimeSpan.Zero, Locks: false),
        new("no defence, Web Locks, slow replay", "None", TimeSpan.Zero, TimeSpan.FromMilliseconds(30), Locks: true),
        new("re-check 20 ms, Web Locks, slow replay", "Recheck", TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(30), Locks: true),
    ];

    /// <summary>The table for docs/aspnetcore.md. Runs only with ROTATION_COOKIE_MEASURE=1 (minutes);
    /// ROTATION_COOKIE_BURSTS sets the bursts per configuration (default 20).</summary>
    [BrowserFact]
    public async Task Measure_the_stale_cookie_hazard_per_defence()
    {
        if (Environment.GetEnvironmentVariable("ROTATION_COOKIE_MEASURE") != "1")
        {
            output.WriteLine("Set ROTATION_COOKIE_MEASURE=1 to run the measurement.");
            return;
        }

        var table = new StringBuilder("| configuration | bursts | refreshes | stale cookie after burst | logouts during burst | grace replays | reuse detected |\n|---|---:|---:|---:|---:|---:|---:|\n");
        foreach (Config config in Configs)
        {
            Measured m = await MeasureAsync(config, Bursts);
            table.Append(CultureInfo.InvariantCulture, $"| {config.Name} | {m.Bursts} | {m.Refreshes} | {m.Stale} | {m.Logouts} | {m.Replays} | {m.Reuses} |\n");
            output.WriteLine($"{config.Name}: {m}");
        }

        output.WriteLine(table.ToString());
        if (Environment.GetEnvironmentVariable("ROTATION_COOKIE_REPORT") is { Length: > 0 } path)
        {
            await File.WriteAllTextAsync(path, table.ToString());
        }
    }

    [BrowserFact]
    public async Task With_Web_Locks_overlapping_views_never_leave_a_stale_cookie()
    {
        Measured m = await MeasureAsync(new("Web Locks, no defence, slow replay", "None", TimeSpan.Zero, TimeSpan.FromMilliseconds(30), Locks: true), 10);

        Assert.Equal(0, m.Stale);
        Assert.Equal(0, m.Logouts);
        Assert.Equal(0, m.Replays);     // never two refreshes in flight
        Assert.Equal(90, m.Refreshes);
    }

    /// <summary>The per-family gate: the sample with every cookie refresh serialized on the server (one family here).</summary>
    private sealed class GatedSampleHost(IReadOnlyDictionary<string, string?> settings, TimeSpan replayDelay) : SampleHost(settings, replayDelay)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(s => s.AddSingleton<IStartupFilter, GateFilter>());
        }
    }

    private sealed class GateFilter : IStartupFilter
    {
        private readonly SemaphoreSlim _gate = new(1, 1);

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, following) =>
            {
                if (!context.Request.Path.StartsWithSegments("/cookie/refresh", StringComparison.Ordinal))
                {
                    await following(context);
                    return;
                }

                await _gate.WaitAsync();
                try
                {
                    await following(context);
                }
                finally
                {
                    _gate.Release();
                }
            });
            next(app);
        };
    }
}
