using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OpenIddictServer;
using RotationEngine.OpenIddict.Tests.Infrastructure;
using RotationEngine.Tokens;

namespace RotationEngine.OpenIddict.Tests;

/// <summary>No refresh token ever reaches a log entry of the server, whatever happens to it.</summary>
public sealed class SecretHygieneTests
{
    [Fact]
    public async Task No_log_entry_at_debug_level_holds_a_refresh_token_or_its_secret_part()
    {
        var logs = new LogCollector();
        var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var server = await TestServer.StartAsync(o =>
        {
            o.Clock = clock;
            o.ConfigureServices = s =>
            {
                s.AddSingleton<ILoggerProvider>(logs);
                s.Configure<LoggerFilterOptions>(f => f.MinLevel = LogLevel.Debug);
            };
        });
        var tokens = new List<string>();
        var signIn = await server.SignInAsync();
        tokens.Add(signIn.RefreshToken!);
        var next = await server.RefreshAsync(signIn.RefreshToken);
        tokens.Add(next.RefreshToken!);
        await server.RefreshAsync(next.RefreshToken, AuthServer.OtherClient);
        await server.RefreshAsync(signIn.RefreshToken);
        clock.Advance(TimeSpan.FromMinutes(1));
        await server.RefreshAsync(signIn.RefreshToken);
        await server.RevokeAsync(next.RefreshToken!);
        await server.RefreshAsync(next.RefreshToken);

        Assert.Contains(logs.Entries, e => e.Category.StartsWith("RotationEngine", StringComparison.Ordinal));
        foreach (var token in tokens)
        {
            var body = token[TokenFormat.Prefix.Length..];
            foreach (var entry in logs.Entries)
            {
                Assert.DoesNotContain(body[..32], entry.Text, StringComparison.Ordinal);
                Assert.DoesNotContain(body[^32..], entry.Text, StringComparison.Ordinal);
            }
        }
    }
}
