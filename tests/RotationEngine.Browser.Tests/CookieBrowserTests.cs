using Microsoft.Playwright;

namespace RotationEngine.Browser.Tests;

/// <summary>The sample page in headless Chromium: three views refreshing at once, the HttpOnly cookie, cross-site requests.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CookieBrowserTests(BrowserFixture browser) : IDisposable
{
    private readonly SampleHost _host = new();

    public void Dispose() => _host.Dispose();

    private async Task AssertCookieIsCurrentAsync(DemoPage page)
    {
        BrowserContextCookiesResult? cookie = await page.RefreshCookieAsync();
        Assert.NotNull(cookie);
        RotationResult inspected = await _host.Engine.InspectAsync(cookie.Value, "spa");
        Assert.Equal(RotationOutcome.Rotated, inspected.Outcome);           // the jar holds the family's current token
    }

    [BrowserFact]
    public async Task A_hundred_rounds_of_three_concurrent_refreshes_with_Web_Locks_all_succeed_and_end_on_the_current_token()
    {
        await using DemoPage page = await DemoPage.OpenAsync(browser.Browser, _host);
        await page.SignInAsync();

        RunResult result = await page.RunAsync(100, locks: true);

        Assert.Equal(300, result.Ok);
        Assert.Equal(0, result.Failed);
        Assert.Equal(0, _host.Count(RotationOutcome.GraceReplay));         // serialized: every refresh rotates, none replays
        await AssertCookieIsCurrentAsync(page);
        RotationResult current = await _host.Engine.InspectAsync((await page.RefreshCookieAsync())!.Value, "spa");
        Assert.Equal(300, current.Generation);
    }

    [BrowserFact]
    public async Task A_hundred_rounds_without_Web_Locks_race_and_the_server_forgives_every_race()
    {
        await using DemoPage page = await DemoPage.OpenAsync(browser.Browser, _host);
        await page.SignInAsync();

        RunResult result = await page.RunAsync(100, locks: false);

        Assert.Equal(0, result.Failed);
        Assert.Equal(300, result.Ok);
        Assert.True(_host.Count(RotationOutcome.GraceReplay) > 0, "the three views' refreshes overlapped");
        Assert.Equal(0, _host.Count(RotationOutcome.ReuseDetected));
        // Without Web Locks the jar may end on a retired token (the stale-cookie hazard, 0-2 per 100 bursts with the
        // server's defences: docs/aspnetcore.md#cookie-mode), so only the locked test asserts the final cookie.
    }

    [BrowserFact]
    public async Task The_cookie_is_HttpOnly_Secure_SameSite_Strict_path_scoped_and_invisible_to_the_page()
    {
        await using DemoPage page = await DemoPage.OpenAsync(browser.Browser, _host);
        await page.SignInAsync();
        await page.RunAsync(1);

        BrowserContextCookiesResult cookie = (await page.RefreshCookieAsync())!;
        Assert.True(cookie.HttpOnly);
        Assert.True(cookie.Secure);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("/cookie", cookie.Path);
        Assert.Equal("127.0.0.1", cookie.Domain);
        Assert.Equal("", await page.DocumentCookieAsync());
        Assert.DoesNotContain(cookie.Value, await page.Page.ContentAsync(), StringComparison.Ordinal);
        Assert.Empty(await page.Page.Context.CookiesAsync([_host.BaseAddress + "index.html"]));   // not sent outside /cookie
    }

    [BrowserFact]
    public async Task Sign_out_from_the_page_revokes_and_the_next_refresh_is_signed_out()
    {
        await using DemoPage page = await DemoPage.OpenAsync(browser.Browser, _host);
        await page.SignInAsync();
        string token = (await page.RefreshCookieAsync())!.Value;

        Assert.Equal(204, await page.Page.EvaluateAsync<int>("() => window.rotationDemo.signOut()"));

        Assert.Null(await page.RefreshCookieAsync());
        Assert.Equal(RevocationReason.SignOut, (await _host.Engine.InspectAsync(token, "spa")).RevocationReason);
        RunResult after = await page.RunAsync(1);
        Assert.Equal(["signed_out", "signed_out", "signed_out"], after.Errors);
    }

    [BrowserFact]
    public async Task A_cross_site_page_can_neither_refresh_nor_sign_out()
    {
        await using DemoPage page = await DemoPage.OpenAsync(browser.Browser, _host);
        await page.SignInAsync();
        string token = (await page.RefreshCookieAsync())!.Value;
        int events = _host.Events.Count;

        // http://localhost:PORT is another site than http://127.0.0.1:PORT (same server, same browser, same jar).
        IPage attacker = await page.Page.Context.NewPageAsync();
        await attacker.GotoAsync(_host.BaseAddress.ToString().Replace("127.0.0.1", "localhost", StringComparison.Ordinal) + "index.html");
        string target = _host.BaseAddress + "cookie/";

        // fetch with the custom header: the CORS preflight is refused, the request never leaves.
        string withHeader = await attacker.EvaluateAsync<string>(
            "url => fetch(url + 'refresh', { method: 'POST', credentials: 'include', headers: { 'X-Rotation-Refresh': '1' } }).then(r => 'status ' + r.status, e => e.name)", target);
        // a no-cors fetch and a form post are sent, but without the SameSite=Strict cookie and with Sec-Fetch-Site: cross-site.
        await attacker.EvaluateAsync("url => fetch(url + 'refresh', { method: 'POST', mode: 'no-cors', credentials: 'include' })", target);
        IResponse form = await attacker.RunAndWaitForResponseAsync(() => attacker.EvaluateAsync(
            "url => { const f = document.createElement('form'); f.method = 'POST'; f.action = url + 'signout'; document.body.append(f); f.submit(); }", target),
            r => r.Url.EndsWith("/cookie/signout", StringComparison.Ordinal));

        Assert.Equal("TypeError", withHeader);
        Assert.Equal(403, form.Status);
        Assert.Equal(token, (await page.RefreshCookieAsync())!.Value);       // the cookie is untouched
        Assert.Equal(RotationOutcome.Rotated, (await _host.Engine.InspectAsync(token, "spa")).Outcome);   // not rotated, not revoked
        Assert.Equal(events, _host.Events.Count);
    }
}
