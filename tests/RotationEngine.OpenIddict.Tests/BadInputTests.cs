using System.Net;
using OpenIddictServer;
using RotationEngine.OpenIddict.Tests.Infrastructure;
using RotationEngine.Tokens;

namespace RotationEngine.OpenIddict.Tests;

/// <summary>What a token endpoint on the engine does with everything that is not a current engine token of the
/// requesting client.</summary>
public sealed class BadInputTests
{
    public static TheoryData<string> Garbage => new()
    {
        "garbage",
        "rt2_",
        "rt2_" + new string('A', 104),
        "rt2_" + new string('é', 104),
        new string('x', 1024 * 1024),
        "rt2_" + new string('A', 1024 * 1024),
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c2VyLWFsaWNlIn0.",
        "\uD800\uDFFF\uFFFE",
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task Garbage_is_invalid_grant_and_changes_nothing(string garbage)
    {
        await using var server = await TestServer.StartAsync();
        var signIn = await server.SignInAsync();

        var answer = await server.RefreshAsync(garbage);

        Assert.Equal(HttpStatusCode.BadRequest, answer.HttpStatusCode);
        Assert.Equal("invalid_grant", answer.Error);
        Assert.DoesNotContain(garbage.Length > 200 ? garbage[..200] : garbage, answer.Raw ?? "", StringComparison.Ordinal);
        Assert.False((await server.RefreshAsync(signIn.RefreshToken)).IsError);
    }

    [Fact]
    public async Task Another_clients_token_is_invalid_grant_and_the_owner_keeps_its_session()
    {
        await using var server = await TestServer.StartAsync();
        var signIn = await server.SignInAsync();

        var stolen = await server.RefreshAsync(signIn.RefreshToken, AuthServer.OtherClient);
        var owner = await server.RefreshAsync(signIn.RefreshToken);

        Assert.Equal("invalid_grant", stolen.Error);
        Assert.False(owner.IsError, owner.Error);
        TokenFormat.TryDecode(owner.RefreshToken, out var parts);
        Assert.Equal(1, parts!.Generation);
    }

    [Fact]
    public async Task OpenIddicts_own_refresh_tokens_after_the_switch_are_a_clear_invalid_grant()
    {
        var directory = Path.Combine(Path.GetTempPath(), "re-oidc-tests", Guid.NewGuid().ToString("N"));
        string? oldToken;
        await using (var before = await TestServer.StartAsync(o => o.Mode = RefreshTokenMode.OpenIddict, directory))
        {
            oldToken = (await before.SignInAsync()).RefreshToken;
            Assert.False((await before.RefreshAsync(oldToken)).IsError, "OpenIddict accepts its own token before the switch");
            oldToken = (await before.RefreshAsync(oldToken)).RefreshToken;
        }

        await using var after = await TestServer.StartAsync(dataDirectory: directory);
        var answer = await after.RefreshAsync(oldToken);

        Assert.Equal("invalid_grant", answer.Error);
        Assert.Contains("before this server moved its refresh tokens to RotationEngine", answer.ErrorDescription, StringComparison.Ordinal);
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task In_migration_mode_OpenIddicts_own_refresh_token_is_exchanged_once_for_an_engine_token()
    {
        var directory = Path.Combine(Path.GetTempPath(), "re-oidc-tests", Guid.NewGuid().ToString("N"));
        string? oldToken;
        await using (var before = await TestServer.StartAsync(o => o.Mode = RefreshTokenMode.OpenIddict, directory))
        {
            oldToken = (await before.SignInAsync()).RefreshToken;
        }

        await using var after = await TestServer.StartAsync(o => o.ConfigureIntegration = i => i.LegacyRefreshTokens = LegacyRefreshTokens.Migrate, directory);
        var migrated = await after.RefreshAsync(oldToken);
        var next = await after.RefreshAsync(migrated.RefreshToken);

        Assert.False(migrated.IsError, migrated.Error + " " + migrated.ErrorDescription);
        Assert.StartsWith(TokenFormat.Prefix, migrated.RefreshToken, StringComparison.Ordinal);
        Assert.False(next.IsError, next.Error);
        Assert.Equal("redeemed", after.QueryText("SELECT Status FROM OpenIddictTokens WHERE Type = 'urn:ietf:params:oauth:token-type:refresh_token'"));
        Assert.Equal(1, after.QueryOpenIddict("SELECT COUNT(*) FROM OpenIddictTokens WHERE Type = 'urn:ietf:params:oauth:token-type:refresh_token'"));
        Assert.Equal(1, after.QueryOpenIddict("SELECT COUNT(*) FROM OpenIddictAuthorizations"));
        Directory.Delete(directory, recursive: true);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"oidc\":2,\"c\":[]}")]
    [InlineData("{\"oidc\":1,\"c\":[{\"t\":5,\"v\":\"x\"}]}")]
    [InlineData("{\"oidc\":1,\"c\":[{\"t\":\"sub\",\"v\":\"someone-else\"}]}")]
    [InlineData("{\"oidc\":1,\"c\":[{\"t\":\"sub\",\"v\":\"user-alice\",\"p\":[1]}]}")]
    [InlineData("{\"oidc\":1,\"c\":[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]}")]
    public async Task A_family_whose_metadata_is_not_a_principal_snapshot_is_refused_without_a_server_error(string metadata)
    {
        await using var server = await TestServer.StartAsync();
        var issued = await server.Engine.IssueAsync(AuthServer.Alice.Id, AuthServer.PublicClient, metadata: metadata);

        var answer = await server.RefreshAsync(issued.Token);

        Assert.Equal(HttpStatusCode.BadRequest, answer.HttpStatusCode);
        Assert.Equal("invalid_grant", answer.Error);
    }
}
