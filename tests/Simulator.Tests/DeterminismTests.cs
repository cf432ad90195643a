namespace Simulator.Tests;

public sealed class DeterminismTests
{
    [Fact]
    public void The_same_seed_gives_the_same_history_hash()
    {
        var spec = TestScenarios.Shipped("multi-instance-clock-skew", "default", users: 30, days: 1, seed: 7);

        var first = TestScenarios.Run(spec);
        var second = TestScenarios.Run(spec);

        Assert.True(first.HistoryCount > 1000, $"the run is too small to prove anything ({first.HistoryCount} entries)");
        Assert.Equal(first.HashText, second.HashText);
        Assert.Equal(first.HistoryCount, second.HistoryCount);
        Assert.Equal(first.Metrics.StoreOperations, second.Metrics.StoreOperations);
        Assert.Equal(first.Metrics.Outcomes, second.Metrics.Outcomes);
    }

    [Fact]
    public void Different_seeds_give_different_histories()
    {
        var hashes = Enumerable.Range(1, 4)
            .Select(seed => TestScenarios.Run(TestScenarios.Shipped("spa-tabs", "default", users: 10, days: 1, seed: (ulong)seed)).HashText)
            .ToList();

        Assert.Equal(hashes.Count, hashes.Distinct().Count());
    }

    [Fact]
    public void Swarm_specs_are_drawn_from_the_seed_alone()
    {
        var a = Simulation.RandomWorld.SpecFor(42, Stores.Sabotage.None);
        var b = Simulation.RandomWorld.SpecFor(42, Stores.Sabotage.None);
        var c = Simulation.RandomWorld.SpecFor(43, Stores.Sabotage.None);

        Assert.Equal(Simulation.RandomWorld.Describe(a), Simulation.RandomWorld.Describe(b));
        Assert.NotEqual(Simulation.RandomWorld.Describe(a), Simulation.RandomWorld.Describe(c));
        Assert.Equal(TestScenarios.Run(a).HashText, TestScenarios.Run(b).HashText);
    }

    [Fact]
    public void Dropping_a_user_leaves_the_other_users_behaviour_unchanged()
    {
        // Each actor draws from its own stream, which is what lets the shrinker drop actors.
        var spec = TestScenarios.Shipped("spa-tabs", "default", users: 3, days: 1) with { RecordFullHistory = true };
        var all = TestScenarios.Run(spec);
        var one = TestScenarios.Run(spec with { Filter = spec.Filter with { OnlyUsers = [1], NoAttackers = true } });
        var allNoAttackers = TestScenarios.Run(spec with { Filter = spec.Filter with { NoAttackers = true } });

        var clientsOfUser1 = Enumerable.Range(16, 16).ToHashSet();
        string[] Invocations(Simulation.RunResult run) => run.History
            .Where(e => e.Type == Simulation.EntryType.Invoke && clientsOfUser1.Contains(e.Process))
            .Select(e => $"{e.Time} {e.Process} {e.Generation}")
            .ToArray();

        Assert.NotEmpty(Invocations(one));
        Assert.Equal(Invocations(allNoAttackers), Invocations(one));
        Assert.True(all.HistoryCount > one.HistoryCount);
    }

    [Fact]
    public void The_sqlite_store_gives_the_same_history_as_the_in_memory_store_across_restarts()
    {
        // Stores agree (docs/semantics.md §7.8): the same seed on a SQLite file, with four instances that each reopen
        // the file on restart, must produce the very history the in-memory store produces.
        var spec = TestScenarios.Shipped("multi-instance-clock-skew", "default", users: 8, days: 1, seed: 5);
        var memory = TestScenarios.Run(spec);
        Simulation.RunResult sqlite;
        using (var stores = Stores.StoreProviders.Create(Stores.StoreChoice.Parse("sqlite"), Stores.Sabotage.None, "agree"))
        using (var simulation = new Simulation.DeterministicSimulation(spec, stores))
        {
            sqlite = simulation.Run();
        }

        Assert.True(memory.Metrics.Restarts > 0, "the run must restart an instance");
        Assert.Null(sqlite.Violation);
        Assert.Equal(memory.HashText, sqlite.HashText);
        Assert.Equal(memory.Metrics.StoreOperations, sqlite.Metrics.StoreOperations);
    }

    [Fact]
    public void The_server_stores_give_the_same_history_as_the_in_memory_store_when_their_servers_are_configured()
    {
        // CI starts PostgreSQL and Redis (eng/servers.sh) and exports their settings; without them this checks nothing more.
        var spec = TestScenarios.Shipped("multi-instance-clock-skew", "grace-2s", users: 4, days: 0.5, seed: 9);
        var memory = TestScenarios.Run(spec);
        foreach (var (kind, variable) in new[] { ("postgres", "ROTATION_POSTGRES"), ("redis", "ROTATION_REDIS") })
        {
            if (Environment.GetEnvironmentVariable(variable) is not { Length: > 0 } settings)
            {
                continue;
            }

            using var stores = Stores.StoreProviders.Create(new Stores.StoreChoice(kind, settings), Stores.Sabotage.None, "agree");
            using var simulation = new Simulation.DeterministicSimulation(spec, stores);
            var result = simulation.Run();
            Assert.Null(result.Violation);
            Assert.Equal(memory.HashText, result.HashText);
        }
    }
}
