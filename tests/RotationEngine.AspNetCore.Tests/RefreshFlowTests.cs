using System.Net;
using Duende.IdentityModel.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RotationEngine.AspNetCore.Tests.Infrastructure;
using RotationEngine.Testing.Faults;

namespace RotationEngine.AspNetCore.Tests;

/// <summary>The refresh grant with a real OAuth client (Duende.IdentityModel), through WebApplicationFactory and
/// through real Kestrel (the two subclasses at the end).</summary>
public abstract class RefreshFlowTests(HostFixture fixture)
{
    protected AuthServerHost Host => fixture.Host;

    private static string User() => "user-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Repeated_refreshes_rotate_each_time_and_mint_a_verifiable_jwt()
    {
        var user = User();
        var token = await Host.SignInTokenAsync(user);
        var seen = new HashSet<string> { token };
        for (var i = 1; i <= 10; i++)
        {
            var response = await Host.RefreshAsync(token);
            Assert.False(response.IsError, response.Error);
            Assert.Equal("Bearer", response.TokenType);
            Assert.Equal(300, response.ExpiresIn);
            Assert.Equal("openid offline_access api", response.Scope);
            Assert.Equal(14 * 86400, response.Json!.Value.GetProperty("refresh_token_expires_in").GetInt32(), tolerance: 1);
            Assert.True(seen.Add(response.RefreshToken!), "every rotation hands out a new token");
            token = response.RefreshToken!;
            Assert.Equal(i, (await Host.FamilyOfAsync(token)).Generation);
            await AssertValidJwtAsync(response.AccessToken!, user);
        }
    }

    [Fact]
    public async Task Three_concurrent_refreshes_with_one_token_all_get_the_same_new_token()
    {
        var token = await Host.SignInTokenAsync(User());
        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Host.RefreshAsync(token)));
        Assert.All(responses, r => Assert.False(r.IsError, r.Error));
        Assert.Single(responses.Select(r => r.RefreshToken).Distinct());
        Assert.NotEqual(token, responses[0].RefreshToken);
        Assert.Equal(1, (await Host.FamilyOfAsync(token)).Generation);
    }

    [Fact]
    public async Task A_replay_after_the_grace_window_is_invalid_grant_and_revokes_the_family()
    {
        var old = await Host.SignInTokenAsync(User());
        var current = (await Host.RefreshAsync(old)).RefreshToken!;
        Host.Time.Advance(TimeSpan.FromSeconds(11));

        var replay = await Host.RefreshAsync(old);
        Assert.Equal("invalid_grant", replay.Error);
        Assert.Equal(HttpStatusCode.BadRequest, replay.HttpStatusCode);
        var family = await Host.FamilyOfAsync(current);
        Assert.Equal(FamilyStatus.Revoked, family.Status);
        Assert.Equal(RevocationReason.ReuseDetected, family.RevocationReason);
        Assert.Equal("invalid_grant", (await Host.RefreshAsync(current)).Error);
    }

    [Fact]
    public async Task A_replay_within_the_window_gets_the_current_token()
    {
        var old = await Host.SignInTokenAsync(User());
        var current = (await Host.RefreshAsync(old)).RefreshToken!;
        Host.Time.Advance(TimeSpan.FromSeconds(5));
        var replay = await Host.RefreshAsync(old);
        Assert.False(replay.IsError, replay.Error);
        Assert.Equal(current, replay.RefreshToken);
    }

    [Fact]
    public async Task Another_clients_token_is_invalid_grant_and_changes_nothing()
    {
        var token = await Host.SignInTokenAsync(User(), AuthServerHost.Spa);
        var before = await Host.FamilyOfAsync(token);

        var stolen = await Host.RefreshAsync(token, AuthServerHost.Other);
        Assert.Equal("invalid_grant", stolen.Error);
        var confidential = await Host.RefreshAsync(token, AuthServerHost.Backend, AuthServerHost.BackendSecret);
        Assert.Equal("invalid_grant", confidential.Error);

        Assert.Equal(before, await Host.FamilyOfAsync(token));
        var own = await Host.RefreshAsync(token);
        Assert.False(own.IsError, own.Error);
        Assert.Equal(1, (await Host.FamilyOfAsync(token)).Generation);
    }

    [Fact]
    public async Task A_store_fault_is_503_with_retry_after_and_the_retry_works()
    {
        var token = await Host.SignInTokenAsync(User());
        Host.Store.IsDown = true;
        TokenResponse down;
        try
        {
            down = await Host.RefreshAsync(token);
        }
        finally
        {
            Host.Store.Heal();
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.HttpStatusCode);
        Assert.Equal("temporarily_unavailable", Wire.Error(down));
        Assert.Equal(TimeSpan.FromSeconds(1), down.HttpResponse!.Headers.RetryAfter!.Delta);
        AssertNoStore(down.HttpResponse);
        Assert.Equal(0, (await Host.FamilyOfAsync(token)).Generation);

        var retry = await Host.RefreshAsync(token);
        Assert.False(retry.IsError, retry.Error);
    }

    [Fact]
    public async Task A_lost_store_answer_is_503_and_the_retry_replays_the_rotation_that_happened()
    {
        var token = await Host.SignInTokenAsync(User());
        Host.Store.LoseNextResponse(StoreOperations.Rotate);
        var lost = await Host.RefreshAsync(token);
        Host.Store.Heal();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, lost.HttpStatusCode);
        Assert.Equal(1, (await Host.FamilyOfAsync(token)).Generation);

        var retry = await Host.RefreshAsync(token);
        Assert.False(retry.IsError, retry.Error);
        Assert.Equal(1, (await Host.FamilyOfAsync(retry.RefreshToken!)).Generation);
        var next = await Host.RefreshAsync(retry.RefreshToken!);
        Assert.False(next.IsError, next.Error);
    }

    [Fact]
    public async Task Rotations_never_get_the_request_abort_token()
    {
        var token = await Host.SignInTokenAsync(User());
        Assert.False((await Host.RefreshAsync(token)).IsError);
        Assert.Equal(StoreOperations.None, Host.Store.CancellableCalls & StoreOperations.Rotate);
    }

    [Fact]
    public async Task Public_client_by_basic_with_empty_secret_and_by_body()
    {
        var token = await Host.SignInTokenAsync(User());
        var basic = await Host.RefreshAsync(token, style: ClientCredentialStyle.AuthorizationHeader);
        Assert.False(basic.IsError, basic.Error);
        Assert.Equal("Basic", basic.HttpResponse!.RequestMessage!.Headers.Authorization!.Scheme);
        var body = await Host.RefreshAsync(basic.RefreshToken!, style: ClientCredentialStyle.PostBody);
        Assert.False(body.IsError, body.Error);
        Assert.Null(body.HttpResponse!.RequestMessage!.Headers.Authorization);
    }

    [Fact]
    public async Task Confidential_client_by_basic_and_by_body()
    {
        var token = await Host.SignInTokenAsync(User(), AuthServerHost.Backend);
        var basic = await Host.RefreshAsync(token, AuthServerHost.Backend, AuthServerHost.BackendSecret, ClientCredentialStyle.AuthorizationHeader);
        Assert.False(basic.IsError, basic.Error);
        var body = await Host.RefreshAsync(basic.RefreshToken!, AuthServerHost.Backend, AuthServerHost.BackendSecret, ClientCredentialStyle.PostBody);
        Assert.False(body.IsError, body.Error);
    }

    [Fact]
    public async Task Basic_credentials_are_form_urlencoded_before_base64()
    {
        var token = await Host.SignInTokenAsync(User(), AuthServerHost.Odd);
        var basic = await Host.RefreshAsync(token, AuthServerHost.Odd, AuthServerHost.OddSecret);
        Assert.False(basic.IsError, basic.Error);
        var body = await Host.RefreshAsync(basic.RefreshToken!, AuthServerHost.Odd, AuthServerHost.OddSecret, ClientCredentialStyle.PostBody);
        Assert.False(body.IsError, body.Error);
    }

    [Fact]
    public async Task Wrong_secret_by_basic_is_401_with_a_basic_challenge_and_by_body_400()
    {
        var token = await Host.SignInTokenAsync(User(), AuthServerHost.Backend);
        var basic = await Host.RefreshAsync(token, AuthServerHost.Backend, "wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, basic.HttpStatusCode);
        Assert.Equal("invalid_client", Wire.Error(basic));
        var challenge = Assert.Single(basic.HttpResponse!.Headers.WwwAuthenticate);
        Assert.Equal("Basic", challenge.Scheme);
        Assert.Contains("realm=\"RotationEngine\"", challenge.Parameter, StringComparison.Ordinal);

        var body = await Host.RefreshAsync(token, AuthServerHost.Backend, "wrong", ClientCredentialStyle.PostBody);
        Assert.Equal(HttpStatusCode.BadRequest, body.HttpStatusCode);
        Assert.Equal("invalid_client", body.Error);
        Assert.Empty(body.HttpResponse!.Headers.WwwAuthenticate);

        var none = await Host.RefreshAsync(token, AuthServerHost.Backend, null, ClientCredentialStyle.PostBody);
        Assert.Equal("invalid_client", none.Error);
        var unknown = await Host.RefreshAsync(token, "nobody", "x");
        Assert.Equal("invalid_client", Wire.Error(unknown));
        var publicWithSecret = await Host.RefreshAsync(token, AuthServerHost.Spa, "a-secret");
        Assert.Equal("invalid_client", Wire.Error(publicWithSecret));
        Assert.Equal(0, (await Host.FamilyOfAsync(token)).Generation);
    }

    [Fact]
    public async Task Basic_and_body_credentials_at_once_are_invalid_request()
    {
        var token = await Host.SignInTokenAsync(User(), AuthServerHost.Backend);
        using var request = new HttpRequestMessage(HttpMethod.Post, "oauth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "refresh_token",
                ["refresh_token"] = token,
                ["client_id"] = AuthServerHost.Backend,
                ["client_secret"] = AuthServerHost.BackendSecret,
            }),
        };
        request.Headers.Authorization = new BasicAuthenticationHeaderValue(AuthServerHost.Backend, AuthServerHost.BackendSecret);
        using var response = await Host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", await Wire.ErrorAsync(response));
        AssertNoStore(response);
        Assert.Equal(0, (await Host.FamilyOfAsync(token)).Generation);
    }

    [Fact]
    public async Task Client_id_in_the_body_that_differs_from_basic_is_invalid_request()
    {
        var token = await Host.SignInTokenAsync(User());
        using var request = new HttpRequestMessage(HttpMethod.Post, "oauth/token")
        {
            Content = Wire.Form(("grant_type", "refresh_token"), ("refresh_token", token), ("client_id", AuthServerHost.Other)),
        };
        request.Headers.Authorization = new BasicAuthenticationHeaderValue(AuthServerHost.Spa, "");
        using var response = await Host.Http.SendAsync(request);
        Assert.Equal("invalid_request", await Wire.ErrorAsync(response));
    }

    [Fact]
    public async Task Grant_type_and_client_permission_errors()
    {
        var token = await Host.SignInTokenAsync(User());
        var password = await Host.Http.RequestPasswordTokenAsync(new PasswordTokenRequest { Address = "oauth/token", ClientId = AuthServerHost.Spa, UserName = "a", Password = "b" });
        Assert.Equal("unsupported_grant_type", password.Error);
        Assert.Equal("unauthorized_client", (await Host.RefreshAsync(token, AuthServerHost.NoRefresh)).Error);

        using var missingGrant = await Host.Http.PostAsync("oauth/token", Wire.Form(("refresh_token", token), ("client_id", AuthServerHost.Spa)));
        Assert.Equal("invalid_request", await Wire.ErrorAsync(missingGrant));
        using var missingToken = await Host.Http.PostAsync("oauth/token", Wire.Form(("grant_type", "refresh_token"), ("client_id", AuthServerHost.Spa)));
        Assert.Equal("invalid_request", await Wire.ErrorAsync(missingToken));
        using var emptyToken = await Host.Http.PostAsync("oauth/token", Wire.Form(("grant_type", "refresh_token"), ("refresh_token", ""), ("client_id", AuthServerHost.Spa)));
        Assert.Equal("invalid_request", await Wire.ErrorAsync(emptyToken));
        Assert.Equal("invalid_grant", (await Host.RefreshAsync("rt2_garbage")).Error);
        Assert.Equal(0, (await Host.FamilyOfAsync(token)).Generation);
    }

    [Fact]
    public async Task Scope_may_narrow_but_not_widen()
    {
        var token = await Host.SignInTokenAsync(User(), scope: "openid api");
        var narrow = await Host.RefreshAsync(token, scope: "api");
        Assert.False(narrow.IsError, narrow.Error);
        Assert.Equal("api", narrow.Scope);
        var wide = await Host.RefreshAsync(narrow.RefreshToken!, scope: "api admin");
        Assert.Equal("invalid_scope", wide.Error);
        var malformed = await Host.RefreshAsync(narrow.RefreshToken!, scope: "api  admin");
        Assert.Equal("invalid_scope", malformed.Error);
    }

    [Fact]
    public async Task Revocation_revokes_the_family_and_refresh_then_fails()
    {
        var token = await Host.SignInTokenAsync(User());
        var current = (await Host.RefreshAsync(token)).RefreshToken!;
        var revoked = await Host.RevokeAsync(token);
        Assert.False(revoked.IsError, revoked.Error);
        Assert.Equal(HttpStatusCode.OK, revoked.HttpStatusCode);
        AssertNoStore(revoked.HttpResponse!);
        var family = await Host.FamilyOfAsync(current);
        Assert.Equal(FamilyStatus.Revoked, family.Status);
        Assert.Equal(RevocationReason.TokenRevocation, family.RevocationReason);
        Assert.Equal("invalid_grant", (await Host.RefreshAsync(current)).Error);
        Assert.False((await Host.RevokeAsync(current)).IsError, "revoking again is still 200");
    }

    [Fact]
    public async Task Revocation_of_another_clients_token_is_200_and_revokes_nothing()
    {
        var token = await Host.SignInTokenAsync(User());
        var response = await Host.RevokeAsync(token, AuthServerHost.Other);
        Assert.Equal(HttpStatusCode.OK, response.HttpStatusCode);
        Assert.Equal(FamilyStatus.Active, (await Host.FamilyOfAsync(token)).Status);
        Assert.False((await Host.RefreshAsync(token)).IsError);
    }

    [Fact]
    public async Task Revocation_answers_for_unknown_tokens_hints_access_tokens_and_bad_clients()
    {
        var signIn = await Host.SignInAsync(User());
        var accessToken = signIn.GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await Host.RevokeAsync("not-a-token")).HttpStatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Host.RevokeAsync("not-a-token", hint: "refresh_token")).HttpStatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Host.RevokeAsync("not-a-token", hint: "something_else")).HttpStatusCode);
        Assert.Equal("unsupported_token_type", (await Host.RevokeAsync(accessToken)).Error);
        Assert.Equal("unsupported_token_type", (await Host.RevokeAsync("opaque", hint: "access_token")).Error);
        Assert.Equal("invalid_client", Wire.Error(await Host.RevokeAsync("x", AuthServerHost.Backend, "wrong")));

        // A refresh token sent with the wrong hint is still found (RFC 7009 §2.1) and revoked.
        var refreshToken = signIn.GetProperty("refresh_token").GetString()!;
        Assert.False((await Host.RevokeAsync(refreshToken, hint: "access_token")).IsError);
        Assert.Equal(FamilyStatus.Revoked, (await Host.FamilyOfAsync(refreshToken)).Status);

        using var missing = await Host.Http.PostAsync("oauth/revoke", Wire.Form(("client_id", AuthServerHost.Spa)));
        Assert.Equal("invalid_request", await Wire.ErrorAsync(missing));
    }

    [Fact]
    public async Task Revocation_store_fault_is_503()
    {
        var token = await Host.SignInTokenAsync(User());
        Host.Store.IsDown = true;
        TokenRevocationResponse response;
        try
        {
            response = await Host.RevokeAsync(token);
        }
        finally
        {
            Host.Store.Heal();
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.HttpStatusCode);
        Assert.NotNull(response.HttpResponse!.Headers.RetryAfter);
        Assert.Equal(FamilyStatus.Active, (await Host.FamilyOfAsync(token)).Status);
    }

    [Fact]
    public async Task Every_answer_has_the_no_store_headers()
    {
        var token = await Host.SignInTokenAsync(User());
        var responses = new List<HttpResponseMessage>
        {
            (await Host.RefreshAsync(token)).HttpResponse!,
            (await Host.RefreshAsync("garbage")).HttpResponse!,
            (await Host.RefreshAsync(token, AuthServerHost.Backend, "wrong")).HttpResponse!,
            (await Host.RevokeAsync("garbage")).HttpResponse!,
            (await Host.RevokeAsync("garbage", hint: "access_token")).HttpResponse!,
            await Host.Http.GetAsync("oauth/token"),
            await Host.Http.GetAsync("oauth/revoke"),
            await Host.Http.PostAsync("oauth/token", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")),
            await Host.Http.PostAsync("oauth/token", Wire.Form(("grant_type", "password"))),
        };
        Host.Store.IsDown = true;
        try
        {
            responses.Add((await Host.RefreshAsync(token)).HttpResponse!);
        }
        finally
        {
            Host.Store.Heal();
        }

        Assert.All(responses, AssertNoStore);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, responses[5].StatusCode);
        Assert.Equal("POST", string.Join(",", responses[5].Content.Headers.Allow));
    }

    [Fact]
    public async Task No_token_or_secret_reaches_the_logs()
    {
        var signIn = await Host.SignInAsync(User(), AuthServerHost.Backend);
        var token = signIn.GetProperty("refresh_token").GetString()!;
        var refreshed = await Host.RefreshAsync(token, AuthServerHost.Backend, AuthServerHost.BackendSecret);
        await Host.RefreshAsync(token, AuthServerHost.Backend, "wrong-secret-value");
        Host.Time.Advance(TimeSpan.FromSeconds(11));
        await Host.RefreshAsync(token, AuthServerHost.Backend, AuthServerHost.BackendSecret);
        var logs = Host.Logs.All;
        Assert.NotEmpty(logs);
        foreach (var secret in new[] { token, token[4..40], refreshed.RefreshToken!, refreshed.AccessToken!, AuthServerHost.BackendSecret, "wrong-secret-value" })
        {
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        }
    }


    internal static void AssertNoStore(HttpResponseMessage response)
    {
        Assert.True(response.Headers.CacheControl?.NoStore, $"{(int)response.StatusCode} {response.RequestMessage?.RequestUri} lacks Cache-Control: no-store");
        Assert.Contains("no-cache", response.Headers.Pragma.Select(p => p.Name));
    }

    private async Task AssertValidJwtAsync(string jwt, string user)
    {
        var jwks = new JsonWebKeySet(await Host.Http.GetStringAsync(".well-known/jwks.json"));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            ValidIssuer = "https://auth.example.test",
            ValidAudience = "api",
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidTypes = ["at+jwt"],
            LifetimeValidator = (_, _, _, _) => true,   // the server runs on a fake clock
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal(user, result.Claims["sub"]);
        Assert.Equal(AuthServerHost.Spa, result.Claims["client_id"]);
    }
}

public sealed class RefreshFlowOverTestServer(TestServerFixture fixture) : RefreshFlowTests(fixture), IClassFixture<TestServerFixture>;

public sealed class RefreshFlowOverKestrel(KestrelFixture fixture) : RefreshFlowTests(fixture), IClassFixture<KestrelFixture>;
