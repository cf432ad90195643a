using System.Net;
using System.Net.Http.Headers;
using System.Text;
using RotationEngine.AspNetCore.Tests.Infrastructure;

namespace RotationEngine.AspNetCore.Tests;

/// <summary>What no OAuth library would send: every case gets a clear §5.2 error with the no-store headers, never a
/// 500, and the family behind the (valid) token in the request does not change.</summary>
public abstract class BadInputTests(HostFixture fixture)
{
    private AuthServerHost Host => fixture.Host;

    public static TheoryData<string, string> Bodies => new()
    {
        // name, body ({T} = a valid refresh token of the signed-in family)
        { "duplicate grant_type", "grant_type=refresh_token&grant_type=refresh_token&refresh_token={T}&client_id=spa" },
        { "duplicate refresh_token", "grant_type=refresh_token&refresh_token={T}&refresh_token={T}&client_id=spa" },
        { "duplicate client_id", "grant_type=refresh_token&refresh_token={T}&client_id=spa&client_id=spa" },
        { "duplicate empty value", "grant_type=refresh_token&refresh_token={T}&client_id=spa&scope=&scope=" },
        { "duplicate unknown parameter", "grant_type=refresh_token&refresh_token={T}&client_id=spa&x=1&x=2" },
        { "non-ASCII in the token", "grant_type=refresh_token&refresh_token={T}%C3%A9&client_id=spa" },
        { "non-ASCII client_id", "grant_type=refresh_token&refresh_token={T}&client_id=sp%C3%A4" },
        { "NUL in client_id", "grant_type=refresh_token&refresh_token={T}&client_id=spa%00" },
        { "NUL in the token", "grant_type=refresh_token&refresh_token={T}%00&client_id=spa" },
        { "raw NUL byte", "grant_type=refresh_token&refresh_token={T}&client_id=spa\0" },
        { "raw invalid UTF-8", "grant_type=refresh_token&refresh_token={T}&client_id=spa\u00ff" },
        { "percent-encoded invalid UTF-8", "grant_type=refresh_token&refresh_token={T}&client_id=%FF%FE" },
        { "bad percent escape", "grant_type=refresh_token&refresh_token={T}&client_id=spa%zz" },
        { "truncated percent escape", "grant_type=refresh_token&refresh_token={T}&client_id=spa%4" },
        { "control character", "grant_type=refresh_token&refresh_token={T}&client_id=spa%0A" },
        { "too many parameters", "grant_type=refresh_token&refresh_token={T}&client_id=spa" + string.Concat(Enumerable.Range(0, 40).Select(i => $"&p{i}=1")) },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task A_malformed_form_is_invalid_request_and_changes_nothing(string name, string body)
    {
        var token = await Host.SignInTokenAsync("bad-input");
        var before = await Host.FamilyOfAsync(token);
        using var response = await Host.Http.PostAsync("oauth/token", Wire.RawForm(body.Replace("{T}", token, StringComparison.Ordinal)));
        await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "invalid_request", name);
        Assert.Equal(before, await Host.FamilyOfAsync(token));
    }

    public static TheoryData<string, string?> ContentTypes => new()
    {
        { "json", "application/json" },
        { "text", "text/plain" },
        { "multipart", "multipart/form-data; boundary=x" },
        { "none", null },
        { "latin-1 form", "application/x-www-form-urlencoded; charset=iso-8859-1" },
        { "garbage", "][" },
    };

    [Theory]
    [MemberData(nameof(ContentTypes))]
    public async Task A_wrong_content_type_is_invalid_request(string name, string? contentType)
    {
        var token = await Host.SignInTokenAsync("bad-input");
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes($"grant_type=refresh_token&refresh_token={token}&client_id=spa"));
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using var response = await Host.Http.PostAsync("oauth/token", content);
        await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "invalid_request", name);
        Assert.Equal(0, (await Host.FamilyOfAsync(token)).Generation);
    }

    [Fact]
    public async Task A_one_megabyte_form_is_invalid_request_with_or_without_a_length()
    {
        var token = await Host.SignInTokenAsync("bad-input");
        var body = $"grant_type=refresh_token&refresh_token={token}&client_id=spa&padding=" + new string('a', 1024 * 1024);
        using (var sized = await Host.Http.PostAsync("oauth/token", Wire.RawForm(body)))
        {
            await AssertRefusedAsync(sized, HttpStatusCode.BadRequest, "invalid_request", "1 MB with Content-Length");
        }

        var chunked = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes(body)));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        using var request = new HttpRequestMessage(HttpMethod.Post, "oauth/token") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using (var streamed = await Host.Http.SendAsync(request))
        {
            await AssertRefusedAsync(streamed, HttpStatusCode.BadRequest, "invalid_request", "1 MB chunked");
        }

        Assert.Equal(0, (await Host.FamilyOfAsync(token)).Generation);
    }

    public static TheoryData<string, string, string> AuthorizationHeaders => new()
    {
        { "bad base64", "Basic !!!not-base64!!!", "invalid_request" },
        { "no colon", "Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes("spa")), "invalid_request" },
        { "empty id", "Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes(":secret")), "invalid_request" },
        { "no credentials", "Basic", "invalid_request" },
        { "blank credentials", "Basic    ", "invalid_request" },
        { "invalid UTF-8", "Basic " + Convert.ToBase64String([0xFF, 0xFE, (byte)':', 0xFF]), "invalid_request" },
        { "NUL in id", "Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes("spa%00:")), "invalid_request" },
        { "huge", "Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes("spa:" + new string('x', 12_000))), "invalid_request" },
        { "another scheme", "Bearer abc", "invalid_client" },
        { "scheme only", "Digest", "invalid_client" },
    };

    [Theory]
    [MemberData(nameof(AuthorizationHeaders))]
    public async Task A_garbage_authorization_header_is_refused_and_changes_nothing(string name, string header, string error)
    {
        var token = await Host.SignInTokenAsync("bad-input");
        using var request = new HttpRequestMessage(HttpMethod.Post, "oauth/token") { Content = Wire.Form(("grant_type", "refresh_token"), ("refresh_token", token)) };
        request.Headers.TryAddWithoutValidation("Authorization", header);
        using var response = await Host.Http.SendAsync(request);
        await AssertRefusedAsync(response, error == "invalid_client" ? HttpStatusCode.Unauthorized : HttpStatusCode.BadRequest, error, name);
        if (error == "invalid_client")
        {
            Assert.Equal("Basic", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        }

        Assert.Equal(0, (await Host.FamilyOfAsync(token)).Generation);
    }

    [Fact]
    public async Task Garbage_at_the_revocation_endpoint_is_refused_and_revokes_nothing()
    {
        var token = await Host.SignInTokenAsync("bad-input");
        foreach (var body in new[] { $"token={token}&token={token}&client_id=spa", $"token={token}%00&client_id=spa", $"token={token}&client_id=sp%C3%A4" })
        {
            using var response = await Host.Http.PostAsync("oauth/revoke", Wire.RawForm(body));
            await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "invalid_request", body[..20]);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "oauth/revoke") { Content = Wire.Form(("token", token)) };
        request.Headers.TryAddWithoutValidation("Authorization", "Basic %%%");
        using (var header = await Host.Http.SendAsync(request))
        {
            await AssertRefusedAsync(header, HttpStatusCode.BadRequest, "invalid_request", "bad header");
        }

        Assert.Equal(FamilyStatus.Active, (await Host.FamilyOfAsync(token)).Status);
    }

    [Fact]
    public async Task A_7_KB_token_is_invalid_grant_with_no_store_call()
    {
        var rotations = Host.Calls.Rotates;
        using var response = await Host.Http.PostAsync("oauth/token", Wire.RawForm("grant_type=refresh_token&client_id=spa&refresh_token=rt2_" + new string('A', 7000)));
        await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "invalid_grant", "7 KB token");
        Assert.Equal(rotations, Host.Calls.Rotates);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string error, string name)
    {
        Assert.True(status == response.StatusCode, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(error, await Wire.ErrorAsync(response));
        RefreshFlowTests.AssertNoStore(response);
    }
}

public sealed class BadInputOverTestServer(TestServerFixture fixture) : BadInputTests(fixture), IClassFixture<TestServerFixture>;

public sealed class BadInputOverKestrel(KestrelFixture fixture) : BadInputTests(fixture), IClassFixture<KestrelFixture>;
