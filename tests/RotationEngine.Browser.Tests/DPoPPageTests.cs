using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Text.Json;
using Duende.IdentityModel.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Playwright;
using RotationEngine.AspNetCore.DPoP;
using RotationEngine.DPoP.Tests;

namespace RotationEngine.Browser.Tests;

/// <summary>
/// The sample's DPoP page (wwwroot/dpop.html, dpop.js) in headless Chromium: WebCrypto proofs from a non-extractable
/// P-256 key kept in IndexedDB bind the family and rotate it; a copy of the refresh token used from .NET, without the
/// key, gets nothing and (with another key) revokes the family.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DPoPPageTests(BrowserFixture browser) : IDisposable
{
    private const string Client = "spa-dpop";   // RequireBinding in the sample's appsettings.json
    private readonly SampleHost _host = new();

    public void Dispose() => _host.Dispose();

    private static string Url(SampleHost host, string path) => new Uri(host.BaseAddress, path).AbsoluteUri;

    private static async Task<FamilyInfo> FamilyOfAsync(SampleHost host, string accessToken)
    {
        string sid = new JsonWebToken(accessToken).GetClaim("sid").Value;
        return (await host.Engine.GetFamilyAsync(FamilyId.Parse(sid)))!;
    }

    private static async Task<TokenResponse> RefreshFromDotNetAsync(SampleHost host, string refreshToken, string? proof)
    {
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        return await http.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = "oauth/token",
            ClientId = Client,
            RefreshToken = refreshToken,
            DPoPProofToken = proof!,
        });
    }

    [BrowserFact]
    public async Task The_page_signs_in_and_rotates_ten_times_with_WebCrypto_proofs_bound_to_its_key()
    {
        await using DPoPDemoPage page = await DPoPDemoPage.OpenAsync(browser.Browser, _host);
        PageAnswer signIn = await page.SignInAsync();
        Assert.True(signIn.Ok, signIn.Error);
        Assert.Equal("DPoP", signIn.TokenType);

        RoundsResult rounds = await page.RunAsync(10);

        Assert.Equal(10, rounds.Ok);
        Assert.All(rounds.TokenTypes, t => Assert.Equal("DPoP", t));
        string thumbprint = await page.ThumbprintAsync();
        Assert.Equal(10, _host.Rotations.Length);                          // the engine answered Rotated ten times,
        Assert.All(_host.Rotations, r => Assert.Equal(thumbprint, r.Binding)); // each time with the proof's key
        Assert.Empty(_host.Events);                                         // no replay, reuse or mismatch

        // Every request carried a proof of the page's one key, as RFC 9449 §4.2 shapes it.
        Proof[] proofs = [.. page.Proofs];
        Assert.Equal(11, proofs.Length);                                      // the sign-in and ten refreshes
        Assert.Equal(Url(_host, "signin"), proofs[0].Url);
        Assert.All(proofs[1..], p => Assert.Equal(Url(_host, "oauth/token"), p.Url));
        long now = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();
        foreach (Proof proof in proofs)
        {
            Assert.Equal("dpop+jwt", proof.Header.GetProperty("typ").GetString());
            Assert.Equal("ES256", proof.Header.GetProperty("alg").GetString());
            JsonElement jwk = proof.Header.GetProperty("jwk");
            Assert.Equal(["crv", "kty", "x", "y"], jwk.EnumerateObject().Select(m => m.Name).Order(StringComparer.Ordinal));
            Assert.Equal(thumbprint, Base64UrlEncoder.Encode(new JsonWebKey(jwk.GetRawText()).ComputeJwkThumbprint()));
            Assert.Equal("POST", proof.Payload.GetProperty("htm").GetString());
            Assert.Equal(proof.Url, proof.Payload.GetProperty("htu").GetString());
            Assert.Equal(16, Base64Url.DecodeFromChars(proof.Payload.GetProperty("jti").GetString()).Length);
            Assert.InRange(proof.Payload.GetProperty("iat").GetInt64(), now - 60, now + 1);
            Assert.False(proof.Payload.TryGetProperty("nonce", out _));      // the server asks for none here
            Assert.Equal(64, Base64Url.DecodeFromChars(proof.Signature).Length); // r || s, not DER
        }

        Assert.Equal(proofs.Length, proofs.Select(p => p.Payload.GetProperty("jti").GetString()).Distinct().Count());

        // The engine sealed the thumbprint .NET computes from the page's jwk; the access token names the same key.
        string jkt = Base64UrlEncoder.Encode(new JsonWebKey(proofs[0].Header.GetProperty("jwk").GetRawText()).ComputeJwkThumbprint());
        Assert.Equal(jkt, thumbprint);
        PageAnswer last = await page.RefreshAsync();
        using JsonDocument cnf = JsonDocument.Parse(new JsonWebToken(last.AccessToken).GetClaim("cnf").Value);
        Assert.Equal(jkt, cnf.RootElement.GetProperty("jkt").GetString());
        FamilyInfo family = await FamilyOfAsync(_host, last.AccessToken!);
        Assert.Equal(jkt, family.Binding);
        Assert.Equal(Client, family.ClientId);
        Assert.Equal(11, family.Generation);
        RotationResult stored = await _host.Engine.InspectAsync(await page.ReadRefreshTokenAsync(), Client, jkt);
        Assert.Equal(RotationOutcome.Rotated, stored.Outcome);             // the page stores the current token
    }

    [BrowserFact]
    public async Task The_private_key_is_not_extractable_in_the_page_nor_in_IndexedDB()
    {
        await using DPoPDemoPage page = await DPoPDemoPage.OpenAsync(browser.Browser, _host);
        Assert.True((await page.SignInAsync()).Ok);

        Assert.Equal("InvalidAccessError", await page.Page.EvaluateAsync<string>("() => window.dpopDemo.tryExportPrivateKey('jwk')"));
        Assert.Equal("InvalidAccessError", await page.Page.EvaluateAsync<string>("() => window.dpopDemo.tryExportPrivateKey('pkcs8')"));

        // Read the stored pair as another script of the origin would, without the module's help.
        JsonElement stored = await page.Page.EvaluateAsync<JsonElement>("""
            () => new Promise((resolve, reject) => {
              const open = indexedDB.open('rotation-engine-dpop');
              open.onerror = () => reject(open.error);
              open.onsuccess = () => {
                const get = open.result.transaction('session').objectStore('session').get('key-pair');
                get.onerror = () => reject(get.error);
                get.onsuccess = async () => {
                  const { privateKey, publicKey } = get.result;
                  const attempt = f => crypto.subtle.exportKey(f, privateKey).then(() => 'exported', e => e.name);
                  const jwk = await crypto.subtle.exportKey('jwk', publicKey);
                  resolve({
                    isCryptoKey: privateKey instanceof CryptoKey, type: privateKey.type, extractable: privateKey.extractable,
                    algorithm: privateKey.algorithm.name, curve: privateKey.algorithm.namedCurve, usages: privateKey.usages,
                    jwkExport: await attempt('jwk'), pkcs8Export: await attempt('pkcs8'), x: jwk.x, y: jwk.y,
                  });
                };
              };
            })
            """);

        Assert.True(stored.GetProperty("isCryptoKey").GetBoolean());
        Assert.Equal("private", stored.GetProperty("type").GetString());
        Assert.False(stored.GetProperty("extractable").GetBoolean());
        Assert.Equal("ECDSA", stored.GetProperty("algorithm").GetString());
        Assert.Equal("P-256", stored.GetProperty("curve").GetString());
        Assert.Equal(["sign"], stored.GetProperty("usages").EnumerateArray().Select(u => u.GetString()));
        Assert.Equal("InvalidAccessError", stored.GetProperty("jwkExport").GetString());
        Assert.Equal("InvalidAccessError", stored.GetProperty("pkcs8Export").GetString());

        // The stored pair is the one that signs: its public half is the jwk of the page's proofs.
        JsonElement sent = page.Proofs.Single().Header.GetProperty("jwk");
        Assert.Equal(sent.GetProperty("x").GetString(), stored.GetProperty("x").GetString());
        Assert.Equal(sent.GetProperty("y").GetString(), stored.GetProperty("y").GetString());
    }

    [BrowserFact]
    public async Task The_key_survives_a_reload_and_the_stored_refresh_token_still_rotates()
    {
        await using DPoPDemoPage page = await DPoPDemoPage.OpenAsync(browser.Browser, _host);
        Assert.True((await page.SignInAsync()).Ok);
        Assert.True((await page.RefreshAsync()).Ok);
        string before = await page.ThumbprintAsync();

        await page.ReloadAsync();

        Assert.Equal(before, await page.ThumbprintAsync());
        PageAnswer after = await page.RefreshAsync();
        Assert.True(after.Ok, after.Error);
        Assert.Equal("DPoP", after.TokenType);
        Assert.Equal(2, _host.Rotations.Length);
        FamilyInfo family = await FamilyOfAsync(_host, after.AccessToken!);
        Assert.Equal(before, family.Binding);
        Assert.Equal(2, family.Generation);
        Assert.Single(page.Proofs.Select(p => p.Header.GetProperty("jwk").GetRawText()).Distinct());

        // Another browser profile has its own key: the key is made per profile, not derived from anything shared.
        await using DPoPDemoPage other = await DPoPDemoPage.OpenAsync(browser.Browser, _host);
        Assert.NotEqual(before, await other.ThumbprintAsync());
    }

    [BrowserFact]
    public async Task A_copy_of_the_refresh_token_without_a_proof_is_refused_and_changes_nothing()
    {
        await using DPoPDemoPage page = await DPoPDemoPage.OpenAsync(browser.Browser, _host);
        Assert.True((await page.SignInAsync()).Ok);
        Assert.True((await page.RefreshAsync()).Ok);
        string copy = await page.StealRefreshTokenAsync();
        Assert.Equal(copy, await page.ReadRefreshTokenAsync());
        int events = _host.Events.Count;

        TokenResponse stolen = await RefreshFromDotNetAsync(_host, copy, proof: null);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, stolen.HttpStatusCode);
        Assert.Equal(DPoPProofResult.InvalidProof, stolen.Error);
        Assert.Null(stolen.RefreshToken);
        Assert.Null(stolen.AccessToken);
        Assert.Equal(events, _host.Events.Count);                          // refused before the engine: no state change
        Assert.Equal(copy, await page.ReadRefreshTokenAsync());
        PageAnswer owner = await page.RefreshAsync();
        Assert.True(owner.Ok, owner.Error);                                 // the page's session goes on
        Assert.Equal(2, _host.Rotations.Length);
        Assert.Equal(FamilyStatus.Active, (await FamilyOfAsync(_host, owner.AccessToken!)).Status);

        // The page's own button shows the same answer.
        JsonElement bare = await page.Page.EvaluateAsync<JsonElement>("() => window.dpopDemo.sendWithoutProof()");
        Assert.Equal(400, bare.GetProperty("status").GetInt32());
        Assert.Equal(DPoPProofResult.InvalidProof, bare.GetProperty("error").GetString());
    }

    [BrowserFact]
    public async Task A_copy_with_another_keys_proof_is_binding_mismatch_revokes_the_family_and_ends_the_page_session()
    {
        await using DPoPDemoPage page = await DPoPDemoPage.OpenAsync(browser.Browser, _host);
        PageAnswer signIn = await page.SignInAsync();
        Assert.True(signIn.Ok);
        string copy = await page.StealRefreshTokenAsync();
        using ProofMaker thief = ProofMaker.Es256();
        Assert.NotEqual(await page.ThumbprintAsync(), thief.Thumbprint());

        TokenResponse stolen = await RefreshFromDotNetAsync(_host, copy, thief.Proof(Url(_host, "oauth/token"), TimeProvider.System.GetUtcNow()));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, stolen.HttpStatusCode);
        Assert.Equal("invalid_grant", stolen.Error);
        Assert.Null(stolen.RefreshToken);
        Assert.Equal(1, _host.Count(RotationOutcome.BindingMismatch));
        Assert.Empty(_host.Rotations);
        FamilyInfo family = await FamilyOfAsync(_host, signIn.AccessToken!);
        Assert.Equal(FamilyStatus.Revoked, family.Status);                 // BindingMismatchRevokes (default)
        Assert.Equal(RevocationReason.BindingMismatch, family.RevocationReason);

        PageAnswer owner = await page.RefreshAsync();                       // the theft was detected at once
        Assert.False(owner.Ok);
        Assert.Equal("invalid_grant", owner.Error);
        Assert.Null(await page.Page.EvaluateAsync<string?>("() => window.dpopDemo.readRefreshToken()"));   // forgotten: sign in again
        Assert.Empty(_host.Rotations);
    }

    [BrowserFact]
    public async Task Two_tabs_refreshing_at_once_take_turns_with_Web_Locks_and_every_refresh_rotates()
    {
        await using DPoPDemoPage first = await DPoPDemoPage.OpenAsync(browser.Browser, _host);
        Assert.True((await first.SignInAsync()).Ok);
        IPage second = await first.OpenTabAsync();
        Assert.Equal(await first.ThumbprintAsync(), await second.EvaluateAsync<string>("() => window.dpopDemo.thumbprint"));

        RoundsResult[] results = await Task.WhenAll(
            first.RunAsync(10),
            second.EvaluateAsync<RoundsResult>("n => window.dpopDemo.runRounds(n)", 10));

        Assert.All(results, r => Assert.Equal(10, r.Ok));
        Assert.Equal(20, _host.Rotations.Length);
        Assert.Equal(0, _host.Count(RotationOutcome.GraceReplay));         // serialized, and each tab read the latest token
        // (with the token in localStorage instead of IndexedDB, 2-6 of these 20 were grace replays: dpop.js's header)
        Assert.Equal(0, _host.Count(RotationOutcome.ReuseDetected));
    }

    [BrowserFact]
    public async Task Concurrent_refreshes_in_one_page_share_one_request()
    {
        await using DPoPDemoPage page = await DPoPDemoPage.OpenAsync(browser.Browser, _host);
        Assert.True((await page.SignInAsync()).Ok);

        PageAnswer[] answers = await page.Page.EvaluateAsync<PageAnswer[]>("() => Promise.all([1, 2, 3, 4, 5].map(() => window.dpopDemo.refresh()))");

        Assert.All(answers, a => Assert.True(a.Ok, a.Error));
        Assert.Single(answers.Select(a => a.AccessToken).Distinct());       // one answer for all five callers
        Assert.Single(_host.Rotations);
        Assert.Equal(2, page.Proofs.Count());                                // the sign-in and one refresh
    }

    [BrowserFact]
    public async Task With_nonces_required_the_page_takes_the_servers_nonce_and_rotates()
    {
        using SampleHost host = new(new Dictionary<string, string?> { ["RotationEngine:DPoP:RequireNonce"] = "true" });
        await using DPoPDemoPage page = await DPoPDemoPage.OpenAsync(browser.Browser, host);

        PageAnswer signIn = await page.SignInAsync();
        RoundsResult rounds = await page.RunAsync(5);

        Assert.True(signIn.Ok, signIn.Error);
        Assert.Equal(5, rounds.Ok);
        Assert.Equal(5, host.Rotations.Length);

        // The round trip: a proof without a nonce, 400 use_dpop_nonce with DPoP-Nonce, the same request with it.
        Answer[] answers = await page.AnswersAsync();
        Answer refused = answers[0];
        Assert.Equal(400, refused.Status);
        Assert.Equal(Url(host, "signin"), refused.Url);
        Assert.Equal(DPoPProofResult.UseNonce, refused.Error);
        Assert.NotNull(refused.Nonce);
        Proof[] proofs = [.. page.Proofs];
        Assert.Equal(7, proofs.Length);                                       // two for the sign-in, one per refresh
        Assert.False(proofs[0].Payload.TryGetProperty("nonce", out _));
        Assert.Equal(refused.Nonce, proofs[1].Payload.GetProperty("nonce").GetString());
        DPoPNonces nonces = host.Services.GetService(typeof(DPoPNonces)) as DPoPNonces ?? throw new InvalidOperationException("no nonces");
        Assert.All(proofs[1..], p => Assert.True(nonces.IsValid(p.Payload.GetProperty("nonce").GetString()!, TimeProvider.System.GetUtcNow())));
        Assert.Equal(7, answers.Length);
        Assert.All(answers[1..], a => Assert.Equal(200, a.Status));          // every later proof had the current nonce
        Assert.All(answers, a => Assert.NotNull(a.Nonce));
        JsonElement stats = await page.Page.EvaluateAsync<JsonElement>("() => window.dpopDemo.stats()");
        Assert.Equal(1, stats.GetProperty("nonceRetries").GetInt32());
    }
}

/// <summary>The sample's DPoP page open in a fresh browser context, its proofs and the server's answers recorded.</summary>
public sealed class DPoPDemoPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly ConcurrentQueue<Proof> _proofs = new();
    private readonly ConcurrentQueue<IResponse> _answers = new();

    private DPoPDemoPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
    }

    public IPage Page { get; }

    /// <summary>Every DPoP header the page sent, in order, decoded.</summary>
    public IEnumerable<Proof> Proofs => _proofs;

    /// <summary>The answers to the requests that carried a proof, in order.</summary>
    public async Task<Answer[]> AnswersAsync()
    {
        var answers = new List<Answer>();
        foreach (IResponse response in _answers)
        {
            answers.Add(await Answer.ReadAsync(response));
        }

        return [.. answers];
    }

    public static async Task<DPoPDemoPage> OpenAsync(IBrowser browser, SampleHost host)
    {
        IBrowserContext context = await browser.NewContextAsync();
        IPage page = await context.NewPageAsync();
        var demo = new DPoPDemoPage(context, page);
        page.Request += (_, request) =>
        {
            if (request.Headers.TryGetValue("dpop", out string? proof))
            {
                demo._proofs.Enqueue(Proof.Decode(request.Url, proof));
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Request.Headers.ContainsKey("dpop"))
            {
                demo._answers.Enqueue(response);
            }
        };
        await page.GotoAsync(host.BaseAddress + "dpop.html");
        await WaitReadyAsync(page);
        return demo;
    }

    /// <summary>Another tab of the same profile (same IndexedDB and Web Locks).</summary>
    public async Task<IPage> OpenTabAsync()
    {
        IPage tab = await _context.NewPageAsync();
        await tab.GotoAsync(Page.Url);
        await WaitReadyAsync(tab);
        return tab;
    }

    public async Task ReloadAsync()
    {
        await Page.ReloadAsync();
        await WaitReadyAsync(Page);
    }

    public Task<PageAnswer> SignInAsync(string user = "alice") => Page.EvaluateAsync<PageAnswer>("u => window.dpopDemo.signIn(u)", user);

    public Task<PageAnswer> RefreshAsync() => Page.EvaluateAsync<PageAnswer>("() => window.dpopDemo.refresh()");

    public Task<RoundsResult> RunAsync(int rounds) => Page.EvaluateAsync<RoundsResult>("n => window.dpopDemo.runRounds(n)", rounds);

    public Task<string> ThumbprintAsync() => Page.EvaluateAsync<string>("() => window.dpopDemo.thumbprint");

    public Task<string> ReadRefreshTokenAsync() => Page.EvaluateAsync<string>("() => window.dpopDemo.readRefreshToken()");

    /// <summary>The stored refresh token read as any other script of the origin could (XSS, an extension), without the module.</summary>
    public Task<string> StealRefreshTokenAsync() => Page.EvaluateAsync<string>("""
        () => new Promise((resolve, reject) => {
          const open = indexedDB.open('rotation-engine-dpop');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const get = open.result.transaction('session').objectStore('session').get('refresh-token');
            get.onsuccess = () => resolve(get.result);
            get.onerror = () => reject(get.error);
          };
        })
        """);

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();

    private static Task WaitReadyAsync(IPage page) => page.WaitForFunctionAsync("() => window.dpopDemo?.ready === true");
}

/// <summary>A DPoP proof as the page sent it.</summary>
public sealed record Proof(string Url, JsonElement Header, JsonElement Payload, string Signature)
{
    public static Proof Decode(string url, string proof)
    {
        string[] parts = proof.Split('.');
        Assert.Equal(3, parts.Length);
        return new Proof(url, Json(parts[0]), Json(parts[1]), parts[2]);
    }

    private static JsonElement Json(string part) => JsonDocument.Parse(Base64Url.DecodeFromChars(part)).RootElement.Clone();
}

/// <summary>The server's answer to a request with a proof: status, OAuth error, DPoP-Nonce header.</summary>
public sealed record Answer(string Url, int Status, string? Error, string? Nonce)
{
    public static async Task<Answer> ReadAsync(IResponse response)
    {
        string? error = null;
        if (response.Status == 400)
        {
            using JsonDocument body = JsonDocument.Parse(await response.BodyAsync());
            error = body.RootElement.TryGetProperty("error", out JsonElement e) ? e.GetString() : null;
        }

        return new Answer(response.Url, response.Status, error, response.Headers.TryGetValue("dpop-nonce", out string? nonce) ? nonce : null);
    }
}

/// <summary>What <c>dpopDemo.signIn</c> and <c>dpopDemo.refresh</c> resolve to.</summary>
public sealed class PageAnswer
{
    public bool Ok { get; set; }
    public string? TokenType { get; set; }
    public string? AccessToken { get; set; }
    public string? Error { get; set; }
}

/// <summary>What <c>dpopDemo.runRounds</c> resolves to.</summary>
public sealed class RoundsResult
{
    public int Ok { get; set; }
    public int Failed { get; set; }
    public string?[] TokenTypes { get; set; } = [];
    public string[] Errors { get; set; } = [];
}
