using RotationEngine.Servers.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RotationEngine.Servers.Tests.Postgres;

/// <summary>Restarts a PostgreSQL instance of its own in the middle of a concurrent rotation run.</summary>
public sealed class PostgresRestartTests(PrivatePostgresServer server, ITestOutputHelper output) : IClassFixture<PrivatePostgresServer>
{
    [Fact]
    public async Task Rotations_survive_a_server_restart_without_a_wrong_outcome_fork_or_loss()
    {
        server.EnsureStarted();
        await using var store = await PostgresStores.CreateAsync(server.ConnectionString);

        var report = await Scenarios.RotationSurvivesServerRestartAsync(store, server.RestartAsync);

        output.WriteLine(report.ToString());
        Assert.True(report.Faults > 0, $"The restart caused no store fault, so it proved nothing: {report}");
        Assert.True(report.RotationsAfterRestart > 0, report.ToString());
    }
}

/// <summary>Cuts every connection to PostgreSQL again and again during a concurrent rotation run, so that some
/// cuts fall between the commit of a rotation and the client reading its answer.</summary>
public sealed class PostgresNetworkCutTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Rotations_survive_repeated_network_cuts_and_retries_get_the_current_token()
    {
        await TestServers.RequirePostgresAsync();
        var target = new Npgsql.NpgsqlConnectionStringBuilder(TestServers.PostgresConnectionString);
        await using var proxy = new ChaosProxy(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, target.Port));
        await using var store = await PostgresStores.CreateAsync(TestServers.PostgresOnPort(proxy.Port));

        var report = await Scenarios.RotationSurvivesServerRestartAsync(store, async () =>
        {
            for (var i = 0; i < 60; i++)
            {
                proxy.CutAll();
                await Task.Delay(Random.Shared.Next(5, 30));
            }
        });

        output.WriteLine($"{report} after {proxy.Cuts} cuts");
        Assert.True(report.Faults > 0, $"The cuts caused no store fault, so they proved nothing: {report}");
    }
}
