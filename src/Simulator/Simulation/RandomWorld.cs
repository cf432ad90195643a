using System.Globalization;
using Simulator.Core;
using Simulator.Scenarios;
using Simulator.Stores;

namespace Simulator.Simulation;

/// <summary>
/// The random world generator of swarm testing: each seed draws its own small world (counts, rates, latencies,
/// faults, policy), so that a batch of seeds explores many combinations.
/// </summary>
internal static class RandomWorld
{
    private static readonly double[] GraceWindows = [0, 0.5, 2, 10, 30, 120];
    private static readonly double[] TokenLifetimesHours = [0.25, 2, 12, 48, 336];
    private static readonly double[] FamilyLifetimesDays = [0.3, 1, 3, 90];

    /// <summary>The world and policy drawn from <paramref name="seed"/> (stream 100).</summary>
    public static RunSpec SpecFor(ulong seed, Sabotage sabotage)
    {
        var rng = Prng.ForStream(seed, 100, 0);
        double Pick(double[] values) => values[rng.Next(values.Length)];
        var scenario = new Scenario
        {
            Name = "fuzz",
            Description = "parameters drawn from the seed",
            DurationDays = 0.25 + rng.NextDouble() * 2,
            Population = new PopulationSettings
            {
                Users = (int)rng.Between(2, 30),
                ClientsPerUserMin = 1,
                ClientsPerUserMax = (int)rng.Between(1, 3),
                ViewsPerClientMin = 1,
                ViewsPerClientMax = (int)rng.Between(1, 5),
                SingleFlightShare = rng.NextDouble(),
                AccessTokenLifetimeSeconds = rng.Between(15, 900),
                RefreshJitterMs = rng.Between(0, 3000),
                SessionHoursMin = 0.1,
                SessionHoursMax = 0.2 + rng.NextDouble() * 6,
                IdleHoursMin = 0,
                IdleHoursMax = rng.NextDouble() * 30,
                ClientTimeoutMs = rng.Between(300, 8000),
                RetryDelayMs = rng.Between(50, 5000),
                ReloginDelaySeconds = rng.Between(1, 300),
            },
            Network = new NetworkSettings
            {
                LatencyMedianMs = rng.Between(1, 400),
                LatencySigma = rng.NextDouble(),
                RequestLossRate = rng.NextDouble() * 0.1,
                ResponseLossRate = rng.NextDouble() * 0.15,
                DuplicateRate = rng.NextDouble() * 0.1,
                ReorderRate = rng.NextDouble() * 0.2,
                ReorderDelayMs = rng.Between(0, 5000),
            },
            Attackers = new AttackerSettings
            {
                TheftsPerThousandUserDays = rng.Between(0, 800),
                Strategies = new(StringComparer.OrdinalIgnoreCase) { ["immediate"] = rng.NextDouble(), ["delayed"] = rng.NextDouble(), ["repeated"] = rng.NextDouble(), ["idleVictim"] = rng.NextDouble() },
                DelayHoursMax = 0.1 + rng.NextDouble() * 12,
                RepeatCount = (int)rng.Between(1, 10),
                RepeatIntervalSeconds = rng.Between(1, 60),
                GiveUpHours = rng.Between(1, 72),
                ForgeryShare = rng.NextDouble() * 0.2,
            },
            Servers = new ServerSettings
            {
                Instances = (int)rng.Between(1, 3),
                MaxClockOffsetMs = rng.Chance(0.5) ? rng.Between(0, 5000) : 0,
                RestartsPerDay = rng.Chance(0.5) ? rng.Between(0, 24) : 0,
            },
        };
        var policy = new PolicySettings
        {
            Name = "drawn",
            GraceWindowSeconds = Pick(GraceWindows),
            GraceDepth = (int)rng.Between(1, 3),
            GraceMaxReplays = rng.Chance(0.5) ? null : (int)rng.Between(1, 3),
            Binding = rng.Chance(0.3),
            BindingMismatchRevokes = rng.Chance(0.7),
            TokenLifetimeHours = Pick(TokenLifetimesHours),
            FamilyLifetimeDays = Pick(FamilyLifetimesDays),
        };
        // A client that always times out before any answer only loops: keep timeouts above the usual latency.
        scenario.Population.ClientTimeoutMs += 5 * scenario.Network.LatencyMedianMs;
        scenario.Policies = [policy];
        scenario.Validate();
        return new RunSpec { Scenario = scenario, Policy = policy, Seed = seed, Sabotage = sabotage };
    }

    /// <summary>One line describing the drawn world.</summary>
    public static string Describe(RunSpec spec)
    {
        var s = spec.Scenario;
        return string.Create(CultureInfo.InvariantCulture,
            $"{s.Population.Users} users, {s.DurationDays:0.00} days, {s.Servers.Instances} instance(s) (offset ≤ {s.Servers.MaxClockOffsetMs} ms, {s.Servers.RestartsPerDay} restarts/day), loss {s.Network.RequestLossRate:P1}/{s.Network.ResponseLossRate:P1}, dup {s.Network.DuplicateRate:P1}, thefts {s.Attackers.TheftsPerThousandUserDays}/1k user-days; policy {spec.Policy.Describe()}, token lifetime {spec.Policy.TokenLifetimeHours} h");
    }
}
