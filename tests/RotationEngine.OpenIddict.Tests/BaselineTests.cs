using OpenIddictServer;
using RotationEngine.OpenIddict.Tests.Infrastructure;

namespace RotationEngine.OpenIddict.Tests;

/// <summary>The same server with OpenIddict's own refresh tokens: what the engine changes, measured on the same code.</summary>
public sealed class BaselineTests
{
    [Fact]
    public async Task OpenIddicts_reuse_leeway_mints_a_sibling_per_concurrent_refresh_and_a_row_per_refresh()
    {
        await using var server = await TestServer.StartAsync(o => o.Mode = RefreshTokenMode.OpenIddict);
        var signIn = await server.SignInAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => server.RefreshAsync(signIn.RefreshToken)));

        Assert.All(answers, a => Assert.False(a.IsError, a.Error));
        Assert.Equal(3, answers.Select(a => a.RefreshToken).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(4, server.QueryOpenIddict("SELECT COUNT(*) FROM OpenIddictTokens WHERE Type = 'urn:ietf:params:oauth:token-type:refresh_token'"));
    }
}
