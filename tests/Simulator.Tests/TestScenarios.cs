using Simulator.Scenarios;
using Simulator.Simulation;
using Simulator.Stores;

namespace Simulator.Tests;

/// <summary>Small worlds whose numbers can be worked out by hand.</summary>
internal static class TestScenarios
{
    /// <summary>One user, one client with <paramref name="views"/> tabs that never coordinate, a one-hour session a
    /// day, access tokens of 10 minutes, no jitter, a constant 10 ms each way, no faults, no attackers.</summary>
    public static Scenario Clockwork(int views, double graceSeconds) => new()
    {
        Name = "clockwork",
        DurationDays = 1,
        Population = new PopulationSettings
        {
            Users = 1,
            ClientsPerUserMin = 1,
            ClientsPerUserMax = 1,
            ViewsPerClientMin = views,
            ViewsPerClientMax = views,
            SingleFlightShare = 0,
            AccessTokenLifetimeSeconds = 600,
            RefreshJitterMs = 0,
            SessionHoursMin = 1,
            SessionHoursMax = 1,
            IdleHoursMin = 23,
            IdleHoursMax = 23,
            ClientTimeoutMs = 5000,
            RetryDelayMs = 1000,
            ReloginDelaySeconds = 60,
        },
        Network = new NetworkSettings { LatencyMedianMs = 10, LatencySigma = 0 },
        Attackers = new AttackerSettings { TheftsPerThousandUserDays = 0 },
        Policies = [new PolicySettings { Name = "policy", GraceWindowSeconds = graceSeconds }],
    };

    public static RunSpec Spec(Scenario scenario, ulong seed = 1, Sabotage sabotage = Sabotage.None) => new()
    {
        Scenario = scenario,
        Policy = scenario.Policies[0],
        Seed = seed,
        ScenarioArgument = scenario.Name,
        Sabotage = sabotage,
    };

    /// <summary>A small slice of a shipped scenario under one of its policies.</summary>
    public static RunSpec Shipped(string name, string policy, int users, double days, ulong seed = 1, Sabotage sabotage = Sabotage.None)
    {
        var scenario = Scenario.Load(name).Clone();
        scenario.Population.Users = users;
        scenario.DurationDays = days;
        scenario.Policies = scenario.Policies.Where(p => p.Name == policy).ToList();
        return Spec(scenario, seed, sabotage) with { ScenarioArgument = name };
    }

    public static RunResult Run(RunSpec spec)
    {
        using var stores = StoreProviders.Create(StoreChoice.Memory, spec.Sabotage, "test");
        using var simulation = new DeterministicSimulation(spec, stores);
        return simulation.Run();
    }
}
