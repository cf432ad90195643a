using OpenIddictServer;
using RotationEngine.OpenIddict.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RotationEngine.OpenIddict.Tests;

/// <summary>What one refresh costs OpenIddict's database, counted command by command.</summary>
public sealed class DatabaseCostTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_engine_refresh_never_reads_OpenIddicts_token_table_and_a_forged_token_costs_OpenIddict_nothing()
    {
        var counter = new CommandCounter();
        await using var server = await TestServer.StartAsync(o => o.ConfigureDatabase = db => db.AddInterceptors(counter));
        var token = (await server.SignInAsync()).RefreshToken;
        token = (await server.RefreshAsync(token)).RefreshToken;

        counter.Commands.Clear();
        var refreshed = await server.RefreshAsync(token);
        var perRefresh = counter.Commands.ToArray();
        counter.Commands.Clear();
        await server.RefreshAsync("rt2_" + new string('A', 104));
        await server.RefreshAsync(new string('x', 100_000));

        Assert.False(refreshed.IsError, refreshed.Error);
        output.WriteLine(string.Join("\n---\n", perRefresh));
        Assert.DoesNotContain(perRefresh, c => c.Contains("FROM \"OpenIddictTokens\"", StringComparison.Ordinal));
        Assert.DoesNotContain(counter.Commands, c => c.Contains("OpenIddictTokens", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OpenIddicts_own_refresh_reads_and_writes_its_token_table_several_times()
    {
        var counter = new CommandCounter();
        await using var server = await TestServer.StartAsync(o =>
        {
            o.Mode = RefreshTokenMode.OpenIddict;
            o.ConfigureDatabase = db => db.AddInterceptors(counter);
        });
        var token = (await server.SignInAsync()).RefreshToken;
        token = (await server.RefreshAsync(token)).RefreshToken;

        counter.Commands.Clear();
        Assert.False((await server.RefreshAsync(token)).IsError);

        var tokenTable = counter.Commands.Count(c => c.Contains("OpenIddictTokens", StringComparison.Ordinal));
        output.WriteLine($"{counter.Commands.Count} commands, {tokenTable} on OpenIddictTokens");
        Assert.True(tokenTable >= 3, $"{tokenTable} token-table commands");
    }
}
