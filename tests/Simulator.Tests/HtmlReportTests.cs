using Microsoft.Playwright;
using Simulator.Cli;

namespace Simulator.Tests;

/// <summary>The default command's HTML report, rendered in headless Chromium: the table and the charts are there,
/// no script error, and nothing is fetched from the network.</summary>
public sealed class HtmlReportTests : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly string _directory = Directory.CreateTempSubdirectory("sim-html-").FullName;

    [Fact]
    public async Task The_report_renders_its_table_and_charts_in_a_browser_without_script_errors()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install -y chromium (.ci/run does)");
        var output = new StringWriter();
        Assert.Equal(0, await SimulatorCommand.RunAsync(CliOptions.Parse(["--duration", "6h", "--users", "40", "--store", "memory", "--quiet", "--out", _directory]), output));
        var path = Path.Combine(_directory, "spa-tabs", "seed-1.html");
        Assert.Contains($"report to look at: {path}", output.ToString(), StringComparison.Ordinal);
        var html = await File.ReadAllTextAsync(path);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("rt2_", html, StringComparison.Ordinal);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Args = ["--no-sandbox"], Headless = true });
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        var requests = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.Request += (_, request) => requests.Add(request.Url);

        await page.GotoAsync(new Uri(path).AbsoluteUri);

        Assert.Empty(errors);
        Assert.Equal([new Uri(path).AbsoluteUri], requests);
        Assert.Equal(11, await page.Locator("#policies tbody tr").CountAsync());
        Assert.Equal("default", await page.Locator("#policies tbody tr").Nth(2).Locator("td").First.InnerTextAsync());
        Assert.True(await page.Locator("#tradeoff svg circle").CountAsync() >= 11);
        Assert.Equal(11, await page.Locator("svg.hourly").CountAsync());
        Assert.True(await page.Locator("svg.hourly polyline").CountAsync() >= 11);
        Assert.True(await page.Locator("#front tbody tr").CountAsync() >= 1);
        Assert.True(int.Parse(await page.Locator("body").GetAttributeAsync("data-ready") ?? "0", System.Globalization.CultureInfo.InvariantCulture) >= 13);
        var box = await page.Locator("#tradeoff svg").BoundingBoxAsync();
        Assert.True(box is { Width: > 400, Height: > 300 });

        // The inline script works: a click on a row highlights that policy's chart.
        await page.Locator("#policies tbody tr").Nth(2).ClickAsync();
        Assert.Equal(1, await page.Locator("svg.hourly.selected").CountAsync());
        Assert.Empty(errors);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
