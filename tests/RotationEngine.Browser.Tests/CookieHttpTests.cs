using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using RotationEngine.Testing.Faults;

namespace RotationEngine.Browser.Tests;

/// <summary>Cookie mode on the wire (real Kestrel, no browser): exact cookie attributes, the CSRF defence, failures,
/// sign-out, hostile cookies, and the stale-cookie defence made deterministic with a slow replay.</summary>
public sealed partial class CookieHttpTests : IDisposable
{
    private const string Deletion = "__Secure-rt=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/cookie; secure; samesite=strict; httponly";
    private readonly SampleHost _host = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseCookies = false });

    public void Dispose()
    {
        _http.Dispose();
        _host.Dispose();
    }

    [GeneratedRegex(@"^__Secure-rt=(rt2_[A-Za-z0-9_-]{104}); expires=([A-Za-z]{3}, \d\d [A-Za-z]{3} \d{4} \d\d:\d\d:\d\d GMT); path=/cookie; secure; samesite=strict; httponly$")]
    private static partial Regex CookieHeader();

    private async Task<HttpResponseMessage> PostAsync(string path, string? cookie, bool csrfHeader = true, string? fetchSite = "same-origin", HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_host.BaseAddress, path)) { Content = content };
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", "__Secure-rt=" + cookie);
        }

        if (csrfHeader)
        {
            request.Headers.Add("X-Rotation-Refresh", "1");
        }

        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }

        return await _http.SendAsync(request);
    }

    private static (string Token, DateTimeOffset Expires) ParseCookie(HttpResponseMessage response)
    {
        string header = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Match match = CookieHeader().Match(header);
        Assert.True(match.Success, "unexpected Set-Cookie: " + header);
        return (match.Groups[1].Value, DateTimeOffset.ParseExact(match.Groups[2].Value, "r", CultureInfo.InvariantCulture));
    }

    private async Task<string> SignInAsync(string user = "alice")
    {
        using HttpResponseMessage response = await PostAsync("/cookie/signin", null, content: new FormUrlEncodedContent([new("username", user)]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return ParseCookie(response).Token;
    }

    private async Task AssertCurrentAsync(string token) =>
        Assert.Equal(RotationOutcome.Rotated, (await _host.Engine.InspectAsync(token, "spa")).Outcome);

    [Fact]
    public async Task Sign_in_and_refresh_set_the_exact_cookie_with_a_sliding_expiry_from_the_token()
    {
        using HttpResponseMessage signIn = await PostAsync("/cookie/signin", null, content: new FormUrlEncodedContent([new("username", "alice")]));
        (string first, DateTimeOffset firstExpires) = ParseCookie(signIn);
        RotationResult inspected = await _host.Engine.InspectAsync(first, "spa");
        Assert.Equal(RotationOutcome.Rotated, inspected.Outcome);
        Assert.Equal(inspected.TokenExpiresAt!.Value.ToUnixTimeSeconds(), firstExpires.ToUnixTimeSeconds());

        await Task.Delay(1100);                                   // whole seconds in the header: let the expiry move
        using HttpResponseMessage refresh = await PostAsync("/cookie/refresh", first);
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        (string second, DateTimeOffset secondExpires) = ParseCookie(refresh);

        Assert.NotEqual(first, second);
        Assert.True(secondExpires > firstExpires, "the cookie's expiry slides with each rotation");
        Assert.Equal((await _host.Engine.InspectAsync(second, "spa")).TokenExpiresAt!.Value.ToUnixTimeSeconds(), secondExpires.ToUnixTimeSeconds());
        Assert.Equal("no-store", refresh.Headers.CacheControl?.ToString());
        Assert.Contains("no-cache", refresh.Headers.Pragma.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_body_carries_the_access_token_and_never_the_refresh_token()
    {
        string token = await SignInAsync();
        using HttpResponseMessage refresh = await PostAsync("/cookie/refresh", token);
        string body = await refresh.Content.ReadAsStringAsync();
        string newToken = ParseCookie(refresh).Token;

        using JsonDocument json = JsonDocument.Parse(body);
        Assert.Equal(["access_token", "token_type", "expires_in", "scope"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Bearer", json.RootElement.GetProperty("token_type").GetString());
        Assert.Equal(300, json.RootElement.GetProperty("expires_in").GetInt32());
        Assert.DoesNotContain(newToken, body, StringComparison.Ordinal);
        Assert.DoesNotContain(token, body, StringComparison.Ordinal);
        Assert.DoesNotContain("rt2_", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_token_deletes_the_cookie_with_the_same_path_and_attributes()
    {
        string token = await SignInAsync();
        await _host.Engine.RevokeAsync(token, "spa", RevocationReason.CredentialsChanged);

        using HttpResponseMessage refresh = await PostAsync("/cookie/refresh", token);

        Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
        Assert.Equal("invalid_grant", JsonDocument.Parse(await refresh.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        Assert.Equal([Deletion], refresh.Headers.GetValues("Set-Cookie"));
    }

    [Fact]
    public async Task No_cookie_or_a_garbage_cookie_is_invalid_grant_and_deleted_without_a_500()
    {
        foreach (string? cookie in new[] { null, "", "rt2_" + new string('A', 104), new string('x', 3000), "%E2%82%AC%00" })
        {
            using HttpResponseMessage refresh = await PostAsync("/cookie/refresh", cookie);
            Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
            Assert.Equal("invalid_grant", JsonDocument.Parse(await refresh.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
            Assert.Equal([Deletion], refresh.Headers.GetValues("Set-Cookie"));
        }

        Assert.DoesNotContain(_host.Events, e => e.Outcome is RotationOutcome.ReuseDetected or RotationOutcome.Revoked);
    }

    [Theory]
    [InlineData(false, "same-origin")]   // no custom header: a form post, or a cross-origin fetch without a preflight
    [InlineData(true, "cross-site")]
    [InlineData(true, "same-site")]      // a sibling subdomain: SameSite=Strict would send the cookie
    [InlineData(true, "none")]           // a typed URL or bookmark
    [InlineData(true, "cross-site, same-origin")]
    public async Task A_request_failing_the_CSRF_check_is_refused_and_changes_nothing(bool csrfHeader, string fetchSite)
    {
        string token = await SignInAsync();
        int events = _host.Events.Count;

        using HttpResponseMessage refresh = await PostAsync("/cookie/refresh", token, csrfHeader, fetchSite);
        using HttpResponseMessage signOut = await PostAsync("/cookie/signout", token, csrfHeader, fetchSite);

        Assert.Equal(HttpStatusCode.Forbidden, refresh.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, signOut.StatusCode);
        Assert.False(refresh.Headers.Contains("Set-Cookie"));
        Assert.False(signOut.Headers.Contains("Set-Cookie"));
        Assert.Equal("invalid_request", JsonDocument.Parse(await refresh.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        await AssertCurrentAsync(token);                    // not rotated, not revoked
        Assert.Equal(events, _host.Events.Count);
    }

    [Fact]
    public async Task Browsers_without_Fetch_Metadata_are_held_by_the_custom_header_alone()
    {
        string token = await SignInAsync();
        using HttpResponseMessage refresh = await PostAsync("/cookie/refresh", token, csrfHeader: true, fetchSite: null);
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
    }

    [Fact]
    public async Task Other_methods_are_refused_without_a_state_change()
    {
        string token = await SignInAsync();
        foreach (HttpMethod method in new[] { HttpMethod.Get, HttpMethod.Put, HttpMethod.Options, HttpMethod.Delete })
        {
            using var request = new HttpRequestMessage(method, new Uri(_host.BaseAddress, "/cookie/refresh"));
            request.Headers.Add("Cookie", "__Secure-rt=" + token);
            request.Headers.Add("X-Rotation-Refresh", "1");
            using HttpResponseMessage response = await _http.SendAsync(request);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
            Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        }

        await AssertCurrentAsync(token);
    }

    [Fact]
    public async Task Two_cookies_of_the_name_are_refused_rather_than_guessed()
    {
        string token = await SignInAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_host.BaseAddress, "/cookie/refresh"));
        request.Headers.Add("Cookie", $"__Secure-rt={token}; __Secure-rt=tossed-by-a-sibling-domain");
        request.Headers.Add("X-Rotation-Refresh", "1");
        using HttpResponseMessage response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        Assert.False(response.Headers.Contains("Set-Cookie"));
        await AssertCurrentAsync(token);
    }

    [Fact]
    public async Task A_store_fault_is_a_retryable_503_that_keeps_the_cookie()
    {
        string token = await SignInAsync();
        _host.Store.IsDown = true;
        using HttpResponseMessage refresh = await PostAsync("/cookie/refresh", token);
        using HttpResponseMessage signOut = await PostAsync("/cookie/signout", token);
        _host.Store.Heal();

        foreach (HttpResponseMessage response in new[] { refresh, signOut })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
            Assert.False(response.Headers.Contains("Set-Cookie"));            // never invalid_grant, never a deletion
        }

        await AssertCurrentAsync(token);                                      // nothing was rotated or revoked
        using HttpResponseMessage retry = await PostAsync("/cookie/refresh", token);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
    }

    [Fact]
    public async Task A_rotation_whose_answer_was_lost_is_recovered_by_retrying_with_the_same_cookie()
    {
        string token = await SignInAsync();
        _host.Store.LoseNextResponse(StoreOperations.Rotate);                         // written, then the store's answer is lost
        using HttpResponseMessage lost = await PostAsync("/cookie/refresh", token);
        _host.Store.Heal();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, lost.StatusCode);
        Assert.Equal(RotationOutcome.GraceReplay, (await _host.Engine.InspectAsync(token, "spa")).Outcome);   // it did rotate

        using HttpResponseMessage retry = await PostAsync("/cookie/refresh", token);

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        await AssertCurrentAsync(ParseCookie(retry).Token);                  // the replay set the current token
        Assert.Equal(1, _host.Count(RotationOutcome.GraceReplay));
    }

    [Fact]
    public async Task Sign_out_revokes_the_family_with_reason_SignOut_and_deletes_the_cookie()
    {
        string token = await SignInAsync();
        using HttpResponseMessage refresh = await PostAsync("/cookie/refresh", token);
        string current = ParseCookie(refresh).Token;

        using HttpResponseMessage signOut = await PostAsync("/cookie/signout", current);

        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        Assert.Equal([Deletion], signOut.Headers.GetValues("Set-Cookie"));
        RotationResult after = await _host.Engine.InspectAsync(current, "spa");
        Assert.Equal(RotationOutcome.Revoked, after.Outcome);
        Assert.Equal(RevocationReason.SignOut, after.RevocationReason);

        using HttpResponseMessage again = await PostAsync("/cookie/signout", null);   // no cookie: still deleted, still 204
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
    }

    [Fact]
    public async Task A_replay_overtaken_by_a_newer_rotation_sets_no_cookie()
    {
        using var slow = new SampleHost(new Dictionary<string, string?> { ["RotationEngine:Cookies:SerializePerFamily"] = "false" }, TimeSpan.FromMilliseconds(400));
        await VerifyOvertakenReplayAsync(slow, expectStaleCookie: false);
    }

    [Fact]
    public async Task Without_the_defence_the_overtaken_replay_puts_the_retired_token_back()
    {
        using var slow = new SampleHost(new Dictionary<string, string?>
        {
            ["RotationEngine:Cookies:StaleCookieDefence"] = "None",
            ["RotationEngine:Cookies:SerializePerFamily"] = "false",
        }, TimeSpan.FromMilliseconds(400));
        await VerifyOvertakenReplayAsync(slow, expectStaleCookie: true);
    }

    [Fact]
    public async Task The_per_family_gate_answers_the_slow_replay_before_the_rotation_that_would_overtake_it()
    {
        using var slow = new SampleHost(new Dictionary<string, string?> { ["RotationEngine:Cookies:StaleCookieDefence"] = "None" }, TimeSpan.FromMilliseconds(400));
        async Task<HttpResponseMessage> Post(string? cookie, HttpContent? content = null, string path = "/cookie/refresh")
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(slow.BaseAddress, path)) { Content = content };
            if (cookie is not null)
            {
                request.Headers.Add("Cookie", "__Secure-rt=" + cookie);
            }

            request.Headers.Add("X-Rotation-Refresh", "1");
            return await _http.SendAsync(request);
        }

        using HttpResponseMessage signIn = await Post(null, new FormUrlEncodedContent([new("username", "carol")]), "/cookie/signin");
        string t0 = ParseCookie(signIn).Token;
        string t1 = ParseCookie(await Post(t0)).Token;

        Task<HttpResponseMessage> b = Post(t0);                                    // the slow replay holds the family's turn
        await WaitUntilAsync(() => slow.Count(RotationOutcome.GraceReplay) == 1);
        Task<HttpResponseMessage> c = Post(t1);                                    // waits for it
        Task first = await Task.WhenAny(b, c);

        Assert.Same(b, first);
        Assert.Equal(t1, ParseCookie(await b).Token);                              // current when answered
        string t2 = ParseCookie(await c).Token;                                    // and then overtaken, in order
        Assert.Equal(RotationOutcome.Rotated, (await slow.Engine.InspectAsync(t2, "spa")).Outcome);
    }

    /// <summary>
    /// The hazard, step by step: view A rotates T0 to T1; view B's replay of T0 is answered T1 but slowly; meanwhile
    /// view C (holding T1) rotates it to T2. B's answer then reaches the browser last.
    /// </summary>
    private async Task VerifyOvertakenReplayAsync(SampleHost host, bool expectStaleCookie)
    {
        async Task<HttpResponseMessage> Post(string path, string? cookie, HttpContent? content = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(host.BaseAddress, path)) { Content = content };
            if (cookie is not null)
            {
                request.Headers.Add("Cookie", "__Secure-rt=" + cookie);
            }

            request.Headers.Add("X-Rotation-Refresh", "1");
            return await _http.SendAsync(request);
        }

        using HttpResponseMessage signIn = await Post("/cookie/signin", null, new FormUrlEncodedContent([new("username", "bob")]));
        string t0 = ParseCookie(signIn).Token;
        using HttpResponseMessage a = await Post("/cookie/refresh", t0);
        string t1 = ParseCookie(a).Token;

        Task<HttpResponseMessage> b = Post("/cookie/refresh", t0);                  // replay, answered slowly
        await WaitUntilAsync(() => host.Count(RotationOutcome.GraceReplay) == 1);
        using HttpResponseMessage c = await Post("/cookie/refresh", t1);
        string t2 = ParseCookie(c).Token;
        using HttpResponseMessage replay = await b;

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);                       // the view gets its access token either way
        if (expectStaleCookie)
        {
            Assert.Equal(t1, ParseCookie(replay).Token);                         // a retired token, set after T2
            Assert.Equal(RotationOutcome.GraceReplay, (await host.Engine.InspectAsync(t1, "spa")).Outcome);
        }
        else
        {
            Assert.False(replay.Headers.Contains("Set-Cookie"));                  // the browser keeps T2
            Assert.Equal(RotationOutcome.Rotated, (await host.Engine.InspectAsync(t2, "spa")).Outcome);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
