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
