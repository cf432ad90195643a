using System.Net;
using OpenIddict.Abstractions;
using OpenIddictServer;
using RotationEngine.OpenIddict.Tests.Infrastructure;
using RotationEngine.Tokens;

namespace RotationEngine.OpenIddict.Tests;

/// <summary>OpenIddict's revocation (RFC 7009) and introspection (RFC 7662) endpoints answering for engine tokens.</summary>
public sealed class EndpointTests
{
    [Fact]
    public async Task Revoking_the_refresh_token_ends_the_family_and_its_ad_hoc_authorization()
    {
        await using var server = await TestServer.StartAsync();
        var signIn = await server.SignInAsync();
        var current = await server.RefreshAsync(signIn.RefreshToken);

        var revoked = await server.RevokeAsync(current.RefreshToken!);

        Assert.False(revoked.IsError, revoked.Error);
        Assert.Equal(HttpStatusCode.OK, revoked.HttpStatusCode);
        Assert.Equal("invalid_grant", (await server.RefreshAsync(current.RefreshToken)).Error);
        Assert.Equal("invalid_grant", (await server.RefreshAsync(signIn.RefreshToken)).Error);
        Assert.Equal(OpenIddictConstants.Statuses.Revoked, server.AuthorizationStatus());
        TokenFormat.TryDecode(current.RefreshToken, out var parts);
        Assert.Equal(RevocationReason.TokenRevocation, (await server.Engine.GetFamilyAsync(parts!.FamilyId))!.RevocationReason);
    }

    [Fact]
    public async Task Revoking_with_a_retired_token_of_the_session_ends_it_too()
    {
        await using var server = await TestServer.StartAsync();
        var signIn = await server.SignInAsync();
        var current = await server.RefreshAsync(signIn.RefreshToken);

        var revoked = await server.RevokeAsync(signIn.RefreshToken!);

        Assert.False(revoked.IsError, revoked.Error);
        Assert.Equal("invalid_grant", (await server.RefreshAsync(current.RefreshToken)).Error);
    }

    [Fact]
    public async Task Another_client_cannot_revoke_the_token_and_unknown_tokens_are_not_an_error()
    {
        await using var server = await TestServer.StartAsync();
        var signIn = await server.SignInAsync();

        var byOther = await server.RevokeAsync(signIn.RefreshToken!, AuthServer.OtherClient);
        var garbage = await server.RevokeAsync("rt2_" + new string('A', 104));
        var nonsense = await server.RevokeAsync("not a token at all");

        Assert.Equal(HttpStatusCode.OK, byOther.HttpStatusCode);
        Assert.Equal(HttpStatusCode.OK, garbage.HttpStatusCode);
        Assert.Equal(HttpStatusCode.OK, nonsense.HttpStatusCode);
        var stillAlive = await server.RefreshAsync(signIn.RefreshToken);
        Assert.False(stillAlive.IsError, stillAlive.Error);
        Assert.Equal(OpenIddictConstants.Statuses.Valid, server.AuthorizationStatus());
    }

    [Fact]
    public async Task Introspection_reports_the_current_token_active_with_the_stored_principal_and_retired_ones_inactive()
    {
        await using var server = await TestServer.StartAsync();
        var signIn = await server.SignInAsync(AuthServer.ConfidentialClient);
        var current = await server.RefreshAsync(signIn.RefreshToken, AuthServer.ConfidentialClient);
        Assert.False(current.IsError, current.Error);

        var active = await server.IntrospectAsync(current.RefreshToken!);
        var retired = await server.IntrospectAsync(signIn.RefreshToken!);
        var garbage = await server.IntrospectAsync("rt2_garbage");

        Assert.False(active.IsError, active.Error);
        Assert.True(active.IsActive);
        Assert.Equal(AuthServer.Alice.Id, active.Claims.First(c => c.Type == "sub").Value);
        Assert.Equal(AuthServer.ConfidentialClient, active.Claims.First(c => c.Type == "client_id").Value);
        Assert.Equal("refresh_token", active.Claims.First(c => c.Type == "token_usage").Value);
        var exp = long.Parse(active.Claims.First(c => c.Type == "exp").Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.FromUnixTimeSeconds(exp), TimeProvider.System.GetUtcNow().AddDays(13), TimeProvider.System.GetUtcNow().AddDays(15));
        Assert.False(retired.IsActive);
        Assert.False(garbage.IsActive);

        // Introspection changes nothing: the current token still rotates, the retired one still replays.
        var replay = await server.RefreshAsync(signIn.RefreshToken, AuthServer.ConfidentialClient);
        Assert.Equal(current.RefreshToken, replay.RefreshToken);
    }

    [Fact]
    public async Task Introspection_of_another_clients_token_reports_it_inactive()
    {
        await using var server = await TestServer.StartAsync();
        var signIn = await server.SignInAsync();

        var answer = await server.IntrospectAsync(signIn.RefreshToken!);

        Assert.False(answer.IsActive);
        Assert.False((await server.RefreshAsync(signIn.RefreshToken)).IsError);
    }

    [Fact]
    public async Task Introspection_after_revocation_reports_the_token_inactive()
    {
        await using var server = await TestServer.StartAsync();
        var signIn = await server.SignInAsync(AuthServer.ConfidentialClient);

        await server.RevokeAsync(signIn.RefreshToken!, AuthServer.ConfidentialClient);

        Assert.False((await server.IntrospectAsync(signIn.RefreshToken!)).IsActive);
    }
}
