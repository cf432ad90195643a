// The README's "ASP.NET Core" example, compiled and run (ReadmeExampleTests below).
using System.Security.Cryptography;
using Duende.IdentityModel.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RotationEngine.AspNetCore.AccessTokens;

namespace RotationEngine.AspNetCore.Tests;

// region: aspnetcore
public static class RefreshTokenSetup
{
    // Program.cs: builder.AddRefreshTokens(); var app = builder.Build(); app.MapRefreshTokens();
    public static void AddRefreshTokens(this WebApplicationBuilder builder)
    {
        builder.Services.AddRotationEngine(builder.Configuration.GetSection("RotationEngine"))   // keys, policies, clients, endpoints, pruning
            .UseSqliteStore(o => o.DatabasePath = builder.Configuration["Rotation:Database"] ?? "refresh-tokens.db");
        builder.Services.AddSingleton<IAccessTokenIssuer, MyAccessTokens>();                      // the access token is yours
        builder.Services.AddHealthChecks().AddRotationStoreCheck();
    }

    public static void MapRefreshTokens(this WebApplication app)
    {
        app.MapRotationEndpoints();        // POST /oauth/token (grant_type=refresh_token), POST /oauth/revoke (RFC 7009)
        app.MapHealthChecks("/health");    // the store answers
    }
}

public sealed class MyAccessTokens : IAccessTokenIssuer
{
    // Called after each successful rotation with the family's subject, client and metadata (here: the granted scope).
    public ValueTask<AccessTokenResult> IssueAsync(AccessTokenRequest request, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(AccessTokenResult.Success(
            "at_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(32)),     // a reference token; samples/AuthServer mints ES256 JWTs
            TimeSpan.FromMinutes(5), scope: request.Metadata));
}
// endregion

public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task The_readme_setup_serves_the_refresh_grant()
    {
        var directory = Path.Combine(Path.GetTempPath(), "re-aspnetcore-readme", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rotation:Database"] = Path.Combine(directory, "tokens.db"),
            ["RotationEngine:Keys:0:Id"] = "2026-12",
            ["RotationEngine:Keys:0:Secret"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["RotationEngine:ClientPolicies:spa:GraceDepth"] = "2",
            ["RotationEngine:Clients:spa"] = "",
            ["RotationEngine:Clients:spa:AllowRefreshTokenGrant"] = "true",
        });
        builder.AddRefreshTokens();
        await using var app = builder.Build();
        app.MapRefreshTokens();
        await app.StartAsync();
        using var http = app.GetTestClient();

        var issued = await app.Services.GetRequiredService<RefreshTokenEngine>().IssueAsync("alice", "spa", metadata: "openid api");
        var response = await http.RequestRefreshTokenAsync(new RefreshTokenRequest { Address = "/oauth/token", ClientId = "spa", RefreshToken = issued.Token });
        Assert.False(response.IsError, response.Error);
        Assert.StartsWith("at_", response.AccessToken, StringComparison.Ordinal);
        Assert.Equal("openid api", response.Scope);
        Assert.Equal("Healthy", await http.GetStringAsync("/health"));
        await app.StopAsync();
        Directory.Delete(directory, recursive: true);
    }
}
