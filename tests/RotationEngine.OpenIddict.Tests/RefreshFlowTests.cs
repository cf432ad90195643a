using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpenIddict.Abstractions;
using OpenIddictServer;
using RotationEngine.OpenIddict.Tests.Infrastructure;
using RotationEngine.Tokens;

namespace RotationEngine.OpenIddict.Tests;

/// <summary>The refresh-token grant of a real OpenIddict 7.8 server with <c>UseRotationEngine()</c>, driven over HTTP
/// by Duende.IdentityModel.</summary>
public sealed class RefreshFlowTests
{
    [Fact]
    public async Task Sign_in_returns_an_engine_refresh_token_and_every_refresh_rotates_it()
    {
        await using var server = await TestServer.StartAsync();
        var signIn = await server.SignInAsync();
        Assert.False(signIn.IsError, signIn.Error);
        Assert.StartsWith(TokenFormat.Prefix, signIn.RefreshToken, StringComparison.Ordinal);
        Assert.NotNull(signIn.AccessToken);

        var seen = new HashSet<string>(StringComparer.Ordinal) { signIn.RefreshToken! };
        var token = signIn.RefreshToken;
        for (var i = 0; i < 20; i++)
        {
            var refreshed = await server.RefreshAsync(token);
            Assert.False(refreshed.IsError, $"refresh {i}: {refreshed.Error} {refreshed.ErrorDescription}");
            Assert.True(seen.Add(refreshed.RefreshToken!), "each refresh returns a new token");
            Assert.Equal(AuthServer.Alice.Id, Jwt.Claim(refreshed.AccessToken!, "sub"));
            token = refreshed.RefreshToken;
        }

        var family = await server.Engine.GetFamilyAsync(TokenFormat.TryDecode(token, out var parts) ? parts.FamilyId : default);
        Assert.NotNull(family);
        Assert.Equal(20, family.Generation);
        Assert.Equal(AuthServer.PublicClient, family.ClientId);
        Assert.Equal(AuthServer.Alice.Id, family.Subject);
    }

    [Fact]
    public async Task Three_concurrent_refreshes_get_one_identical_new_token()
    {
        await using var server = await TestServer.StartAsync();
        var signIn = await server.SignInAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => server.RefreshAsync(signIn.RefreshToken)));

        Assert.All(answers, answer => Assert.False(answer.IsError, answer.Error + " " + answer.ErrorDescription));
        Assert.Single(answers.Select(a => a.RefreshToken).Distinct(StringComparer.Ordinal));
        Assert.Equal(3, answers.Select(a => a.AccessToken).Distinct(StringComparer.Ordinal).Count());
        var next = await server.RefreshAsync(answers[0].RefreshToken);
        Assert.False(next.IsError, next.Error);
        TokenFormat.TryDecode(next.RefreshToken, out var parts);
        Assert.Equal(2, parts!.Generation);
    }

    [Fact]
    public async Task A_retry_after_a_lost_response_gets_the_same_token_within_grace()
    {
        await using var server = await TestServer.StartAsync();
        var signIn = await server.SignInAsync();
        var lost = await server.RefreshAsync(signIn.RefreshToken);

        var retried = await server.RefreshAsync(signIn.RefreshToken);

        Assert.False(retried.IsError, retried.Error);
        Assert.Equal(lost.RefreshToken, retried.RefreshToken);
    }

    [Fact]
    public async Task Reuse_after_the_grace_window_revokes_the_family_and_the_OpenIddict_authorization()
    {
        var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var server = await TestServer.StartAsync(o => o.Clock = clock);
        var signIn = await server.SignInAsync();
        var current = await server.RefreshAsync(signIn.RefreshToken);
        Assert.Equal(OpenIddictConstants.Statuses.Valid, server.AuthorizationStatus());

        clock.Advance(RotationPolicy.Default.GraceWindow + TimeSpan.FromSeconds(1));
        var stolen = await server.RefreshAsync(signIn.RefreshToken);

        Assert.Equal("invalid_grant", stolen.Error);
        Assert.Contains("already been used", stolen.ErrorDescription, StringComparison.Ordinal);
        Assert.Equal(OpenIddictConstants.Statuses.Revoked, server.AuthorizationStatus());
        var owner = await server.RefreshAsync(current.RefreshToken);
        Assert.Equal("invalid_grant", owner.Error);
        Assert.Contains("revoked", owner.ErrorDescription, StringComparison.Ordinal);
        TokenFormat.TryDecode(current.RefreshToken, out var parts);
        var family = await server.Engine.GetFamilyAsync(parts!.FamilyId);
        Assert.Equal(FamilyStatus.Revoked, family!.Status);
        Assert.Equal(RevocationReason.ReuseDetected, family.RevocationReason);
    }

    [Fact]
    public async Task OpenIddict_stores_no_refresh_token_row_after_100_refreshes()
    {
        await using var server = await TestServer.StartAsync();
        var token = (await server.SignInAsync()).RefreshToken;
        for (var i = 0; i < 100; i++)
        {
            var refreshed = await server.RefreshAsync(token);
            Assert.False(refreshed.IsError, refreshed.Error);
            token = refreshed.RefreshToken;
        }

        Assert.Equal(0, server.QueryOpenIddict("SELECT COUNT(*) FROM OpenIddictTokens WHERE Type = 'urn:ietf:params:oauth:token-type:refresh_token'"));
        Assert.Equal(1, server.QueryOpenIddict("SELECT COUNT(*) FROM OpenIddictAuthorizations"));
        Assert.Equal(101, server.QueryOpenIddict("SELECT COUNT(*) FROM OpenIddictTokens WHERE Type = 'urn:ietf:params:oauth:token-type:access_token'"));
        var sessions = await server.Engine.ListFamiliesAsync(AuthServer.Alice.Id);
        Assert.Equal(100, Assert.Single(sessions).Generation);
    }

    [Fact]
    public async Task A_refresh_restores_the_principal_the_sign_in_stored()
    {
        var recorder = new RecordingRebuilder();
        await using var server = await TestServer.StartAsync(o => o.ConfigureServices = s => s.AddScoped<IRefreshPrincipalRebuilder>(_ => recorder));
        var signIn = await server.SignInAsync(scope: "offline_access email api");

        var refreshed = await server.RefreshAsync(signIn.RefreshToken);

        Assert.False(refreshed.IsError, refreshed.Error);
        var stored = Assert.Single(recorder.Seen);
        Assert.Equal(AuthServer.Alice.Id, stored.GetClaim(OpenIddictConstants.Claims.Subject));
        Assert.Equal(AuthServer.Alice.Email, stored.GetClaim(OpenIddictConstants.Claims.Email));
        Assert.Equal(["reader"], stored.GetClaims(OpenIddictConstants.Claims.Role).ToArray());
        Assert.Equal(["api", "email", "offline_access"], stored.GetScopes().Order(StringComparer.Ordinal));
        Assert.Equal(["resource-server"], stored.GetResources().ToArray());
        Assert.Equal([AuthServer.PublicClient], stored.GetPresenters().ToArray());
        Assert.False(string.IsNullOrEmpty(stored.GetAuthorizationId()));
        Assert.Equal([OpenIddictConstants.Destinations.AccessToken], stored.FindFirst(OpenIddictConstants.Claims.Email)!.GetDestinations().ToArray());
        Assert.True(stored.HasTokenType(OpenIddictConstants.TokenTypeIdentifiers.RefreshToken));
        Assert.Null(stored.GetTokenId());
        Assert.Equal(AuthServer.Alice.Email, Jwt.Claim(refreshed.AccessToken!, "email"));
        Assert.Equal("api email offline_access", string.Join(' ', Jwt.Claim(refreshed.AccessToken!, "scope")!.Split(' ').Order()));
    }

    [Fact]
    public async Task The_passthrough_token_endpoint_refreshes_claims_from_the_user_store_as_OpenIddict_samples_do()
    {
        await using var server = await TestServer.StartAsync();
        var signIn = await server.SignInAsync();
        server.Users.Update(AuthServer.Alice.Id, u => u with { Email = "alice@new.example.test" });

        var first = await server.RefreshAsync(signIn.RefreshToken);
        var second = await server.RefreshAsync(first.RefreshToken);

        Assert.Equal("alice@new.example.test", Jwt.Claim(first.AccessToken!, "email"));
        Assert.Equal("alice@new.example.test", Jwt.Claim(second.AccessToken!, "email"));
    }

    [Fact]
    public async Task A_request_the_host_forbids_rotates_nothing()
    {
        await using var server = await TestServer.StartAsync();
        var signIn = await server.SignInAsync();
        server.Users.Update(AuthServer.Alice.Id, u => u with { LockedOut = true });

        var refused = await server.RefreshAsync(signIn.RefreshToken);
        server.Users.Update(AuthServer.Alice.Id, u => u with { LockedOut = false });
        var later = await server.RefreshAsync(signIn.RefreshToken);

        Assert.Equal("invalid_grant", refused.Error);
        Assert.False(later.IsError, later.Error);
        TokenFormat.TryDecode(later.RefreshToken, out var parts);
        Assert.Equal(1, parts!.Generation);
    }

    [Fact]
    public async Task The_principal_rebuilder_refreshes_claims_and_ends_the_session_of_a_locked_out_user()
    {
        await using var server = await TestServer.StartAsync(o => o.UseRebuilder = true);
        var signIn = await server.SignInAsync();
        server.Users.Update(AuthServer.Alice.Id, u => u with { Email = "alice@rebuilt.example.test", Roles = ["reader", "writer"] });

        var refreshed = await server.RefreshAsync(signIn.RefreshToken);
        Assert.False(refreshed.IsError, refreshed.Error);
        Assert.Equal("alice@rebuilt.example.test", Jwt.Claim(refreshed.AccessToken!, "email"));
        Assert.Contains("writer", Jwt.Claim(refreshed.AccessToken!, "role"), StringComparison.Ordinal);

        server.Users.Update(AuthServer.Alice.Id, u => u with { LockedOut = true });
        var locked = await server.RefreshAsync(refreshed.RefreshToken);
        server.Users.Update(AuthServer.Alice.Id, u => u with { LockedOut = false });
        var after = await server.RefreshAsync(refreshed.RefreshToken);

        Assert.Equal("invalid_grant", locked.Error);
        Assert.Equal("invalid_grant", after.Error);
        TokenFormat.TryDecode(refreshed.RefreshToken, out var parts);
        Assert.Equal(RevocationReason.CredentialsChanged, (await server.Engine.GetFamilyAsync(parts!.FamilyId))!.RevocationReason);
    }

    [Fact]
    public async Task Revoking_the_OpenIddict_authorization_ends_the_family_at_its_next_refresh()
    {
        await using var server = await TestServer.StartAsync();
        var signIn = await server.SignInAsync();
        using (var scope = server.Services.CreateScope())
        {
            var authorizations = scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>();
            Assert.Equal(1, await authorizations.RevokeBySubjectAsync(AuthServer.Alice.Id));
        }

        var refused = await server.RefreshAsync(signIn.RefreshToken);

        Assert.Equal("invalid_grant", refused.Error);
        Assert.Empty(await server.Engine.ListFamiliesAsync(AuthServer.Alice.Id));
    }

    [Fact]
    public async Task A_narrower_scope_on_refresh_applies_to_that_response_and_the_next_refresh_restores_the_grant()
    {
        await using var server = await TestServer.StartAsync();
        var signIn = await server.SignInAsync();

        var narrow = await server.RefreshAsync(signIn.RefreshToken, scope: "offline_access api");
        var full = await server.RefreshAsync(narrow.RefreshToken);
        var wider = await server.RefreshAsync(full.RefreshToken, scope: "offline_access api admin");

        Assert.Equal("api offline_access", string.Join(' ', Jwt.Claim(narrow.AccessToken!, "scope")!.Split(' ').Order()));
        Assert.Contains("email", Jwt.Claim(full.AccessToken!, "scope"), StringComparison.Ordinal);
        Assert.True(wider.IsError);
        Assert.Equal(HttpStatusCode.BadRequest, wider.HttpStatusCode);
        var still = await server.RefreshAsync(full.RefreshToken);
        Assert.False(still.IsError, "a refused scope rotated nothing: " + still.Error);
    }
}
