using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RotationEngine.AspNetCore.Tests.Infrastructure;

namespace RotationEngine.AspNetCore.Tests;

/// <summary>The sample's own pages: the fake sign-in and the sessions page (list, revoke one, sign out everywhere).</summary>
public sealed class SampleServerTests(TestServerFixture fixture) : IClassFixture<TestServerFixture>
{
    private AuthServerHost Host => fixture.Host;

    [Fact]
    public async Task The_sessions_page_lists_revokes_one_and_signs_out_everywhere()
    {
        var user = "sessions-" + Guid.NewGuid().ToString("N")[..6];
        var first = await Host.SignInTokenAsync(user, AuthServerHost.Spa);
        var second = await Host.SignInTokenAsync(user, AuthServerHost.Backend);
        var third = await Host.SignInTokenAsync(user, "native");
        var html = await Host.Http.GetStringAsync($"sessions?user={user}");
        Assert.Contains("3 active session(s)", html, StringComparison.Ordinal);
        Assert.DoesNotContain(first, html, StringComparison.Ordinal);

        var firstFamily = (await Host.FamilyOfAsync(first)).Id;
        using (var revoke = await Host.Http.PostAsync("sessions/revoke", Wire.Form(("user", user), ("family", firstFamily.ToString()))))
        {
            Assert.Equal(HttpStatusCode.Redirect, revoke.StatusCode);
        }

        Assert.Equal(FamilyStatus.Revoked, (await Host.FamilyOfAsync(first)).Status);
        Assert.Equal(RevocationReason.SignOut, (await Host.FamilyOfAsync(first)).RevocationReason);
        var json = await Host.Http.GetFromJsonAsync<JsonElement>($"sessions.json?user={user}");
        Assert.Equal(2, json.GetArrayLength());

        using (var everywhere = await Host.Http.PostAsync("sessions/signout-everywhere", Wire.Form(("user", user))))
        {
            Assert.Equal(HttpStatusCode.Redirect, everywhere.StatusCode);
        }

        Assert.Equal(FamilyStatus.Revoked, (await Host.FamilyOfAsync(second)).Status);
        Assert.Equal(FamilyStatus.Revoked, (await Host.FamilyOfAsync(third)).Status);
        Assert.Equal("invalid_grant", (await Host.RefreshAsync(third, "native")).Error);
        Assert.Contains("0 active session(s)", await Host.Http.GetStringAsync($"sessions?user={user}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_of_another_user_cannot_be_revoked_from_the_page()
    {
        var token = await Host.SignInTokenAsync("victim-" + Guid.NewGuid().ToString("N")[..6]);
        var family = (await Host.FamilyOfAsync(token)).Id;
        using var response = await Host.Http.PostAsync("sessions/revoke", Wire.Form(("user", "mallory"), ("family", family.ToString())));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(FamilyStatus.Active, (await Host.FamilyOfAsync(token)).Status);
    }

    [Fact]
    public async Task The_page_encodes_what_it_shows()
    {
        await Host.SignInTokenAsync("<script>x</script>", AuthServerHost.Spa, scope: "api <b>");
        var html = await Host.Http.GetStringAsync("sessions?user=" + Uri.EscapeDataString("<script>x</script>"));
        Assert.DoesNotContain("<script>x", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("username=alice&client_id=nobody")]
    [InlineData("username=al%00ice&client_id=spa")]
    [InlineData("username=alice&username=bob&client_id=spa")]
    [InlineData("client_id=spa")]
    public async Task The_fake_sign_in_refuses_bad_input(string body)
    {
        using var response = await Host.Http.PostAsync("signin", Wire.RawForm(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Bad_input_to_the_sample_pages_is_400_not_500()
    {
        using var huge = await Host.Http.PostAsync("signin", Wire.RawForm("username=alice&client_id=spa&x=" + new string('a', 5 * 1024 * 1024)));
        Assert.Equal(HttpStatusCode.BadRequest, huge.StatusCode);
        using var json = await Host.Http.PostAsync("sessions/signout-everywhere", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        using var nul = await Host.Http.GetAsync("sessions?user=a%00b");
        Assert.Equal(HttpStatusCode.BadRequest, nul.StatusCode);
    }
}
