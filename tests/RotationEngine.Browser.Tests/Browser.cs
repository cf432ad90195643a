using Microsoft.Playwright;

namespace RotationEngine.Browser.Tests;

/// <summary>
/// Headless Chromium from the Debian package, driven by Playwright (no browser download). When /usr/bin/chromium is
/// missing the tests fail with a clear message — CI installs it (.ci/run) — unless ROTATION_SKIP_BROWSER_TESTS=1
/// says to skip them locally.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (BrowserFactAttribute.SkipReason is not null)
        {
            return;
        }

        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"Chromium is not installed at {ChromiumPath}: run 'apt-get install -y chromium' (CI's .ci/run does), or set ROTATION_SKIP_BROWSER_TESTS=1 to skip the browser tests locally.");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Args = ["--no-sandbox"], Headless = true });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

/// <summary>A test that needs Chromium: skipped only when ROTATION_SKIP_BROWSER_TESTS=1 and Chromium is missing.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public static string? SkipReason =>
        Environment.GetEnvironmentVariable("ROTATION_SKIP_BROWSER_TESTS") == "1" && !File.Exists(BrowserFixture.ChromiumPath)
            ? $"ROTATION_SKIP_BROWSER_TESTS=1 and no Chromium at {BrowserFixture.ChromiumPath}"
            : null;

    public BrowserFactAttribute()
    {
        if (SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>The sample page open in a fresh browser context (its own cookie jar).</summary>
public sealed class DemoPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;

    private DemoPage(IBrowserContext context, IPage page, SampleHost host)
    {
        _context = context;
        Page = page;
        Host = host;
    }

    public IPage Page { get; }
    public SampleHost Host { get; }

    public static async Task<DemoPage> OpenAsync(IBrowser browser, SampleHost host)
    {
        IBrowserContext context = await browser.NewContextAsync();
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(host.BaseAddress + "index.html");
        await page.WaitForFunctionAsync("() => window.rotationDemo?.ready === true");
        return new DemoPage(context, page, host);
    }

    public Task SignInAsync(string user = "alice") => Page.EvaluateAsync("u => window.rotationDemo.signIn(u)", user);

    public Task<RunResult> RunAsync(int rounds, bool locks = true, bool overlap = false) =>
        Page.EvaluateAsync<RunResult>("([n, locks, overlap]) => window.rotationDemo.runRounds(n, { locks, overlap })", new object[] { rounds, locks, overlap });

    /// <summary>The refresh cookie in the browser's jar (what Playwright's context sees, HttpOnly included).</summary>
    public async Task<BrowserContextCookiesResult?> RefreshCookieAsync() =>
        (await _context.CookiesAsync([Host.BaseAddress + "cookie/refresh"])).SingleOrDefault(c => c.Name == "__Secure-rt");

    public Task<string> DocumentCookieAsync() => Page.EvaluateAsync<string>("() => document.cookie");

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}

public sealed class RunResult
{
    public int Ok { get; set; }
    public int Failed { get; set; }
    public string[] Errors { get; set; } = [];
}
