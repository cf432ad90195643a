using System.Globalization;
using System.Text;
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

    public sealed record Config(string Name, string Defence, TimeSpan RecheckDelay, TimeSpan ReplayDelay, bool Locks, bool Gate);

    public sealed record Measured(Config Config, int Bursts, int Refreshes, int Stale, int Logouts, int Replays, int Reuses);

    internal async Task<Measured> MeasureAsync(Config config, int bursts)
    {
        var settings = new Dictionary<string, string?>
        {
            ["RotationEngine:Cookies:StaleCookieDefence"] = config.Defence,
            ["RotationEngine:Cookies:RecheckDelay"] = config.RecheckDelay.ToString("c", CultureInfo.InvariantCulture),
            ["RotationEngine:Cookies:SerializePerFamily"] = config.Gate ? "true" : "false",
        };
        using var host = new SampleHost(settings, config.ReplayDelay);
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

    private static readonly TimeSpan Slow = TimeSpan.FromMilliseconds(30);
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(20);

    public static readonly Config[] Configs =
    [
        new("nothing", "None", TimeSpan.Zero, TimeSpan.Zero, Locks: false, Gate: false),
        new("nothing, slow replay", "None", TimeSpan.Zero, Slow, Locks: false, Gate: false),
        new("re-check 20 ms", "Recheck", Settle, TimeSpan.Zero, Locks: false, Gate: false),
        new("re-check 20 ms, slow replay", "Recheck", Settle, Slow, Locks: false, Gate: false),
        new("per-family gate", "None", TimeSpan.Zero, TimeSpan.Zero, Locks: false, Gate: true),
        new("per-family gate, slow replay", "None", TimeSpan.Zero, Slow, Locks: false, Gate: true),
        new("gate + re-check 20 ms (default)", "Recheck", Settle, TimeSpan.Zero, Locks: false, Gate: true),
        new("gate + re-check 20 ms (default), slow replay", "Recheck", Settle, Slow, Locks: false, Gate: true),
        new("Web Locks only (server: nothing), slow replay", "None", TimeSpan.Zero, Slow, Locks: true, Gate: false),
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
        Measured m = await MeasureAsync(new("Web Locks, server defences off, slow replay", "None", TimeSpan.Zero, Slow, Locks: true, Gate: false), 10);

        Assert.Equal(0, m.Stale);
        Assert.Equal(0, m.Logouts);
        Assert.Equal(0, m.Replays);     // never two refreshes in flight
        Assert.Equal(90, m.Refreshes);
    }
}
