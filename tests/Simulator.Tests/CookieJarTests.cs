namespace Simulator.Tests;

/// <summary>The browser's cookie jar: answers applied in arrival order, so a slow grace replay can put an older token
/// back over a newer one — with tabs that do not coordinate, never with single-flight across tabs.</summary>
public sealed class CookieJarTests
{
    private static Simulation.RunResult Run(double singleFlight, string store)
    {
        var spec = TestScenarios.Shipped("spa-tabs", "default", users: 100, days: 1);
        var scenario = spec.Scenario.Clone();
        scenario.Population.SingleFlightShare = singleFlight;
        scenario.Population.TokenStore = store;
        scenario.Attackers.TheftsPerThousandUserDays = 0;
        return TestScenarios.Run(spec with { Scenario = scenario, Policy = scenario.Policies[0] });
    }

    [Fact]
    public void Uncoordinated_tabs_roll_the_cookie_back_and_lose_sessions_for_it_single_flight_never_does()
    {
        var jar = Run(singleFlight: 0, "cookieJar");
        var newest = Run(singleFlight: 0, "newest");
        var singleFlightJar = Run(singleFlight: 1, "cookieJar");

        Assert.Null(jar.Violation);
        Assert.True(jar.Metrics.CookieRollbacks > 0, "uncoordinated tabs must see an older answer arrive after a newer one");
        Assert.True(newest.Metrics.CookieRollbacks > 0, "the newest-generation client sees them too, and ignores them");
        Assert.True(jar.Metrics.FalseLogouts > newest.Metrics.FalseLogouts, $"cookie jar {jar.Metrics.FalseLogouts} vs newest {newest.Metrics.FalseLogouts}");
        Assert.Equal(0, singleFlightJar.Metrics.CookieRollbacks);
    }

    [Fact]
    public void A_scenario_names_a_known_token_store()
    {
        var scenario = Scenarios.Scenario.Load("spa-tabs").Clone();
        scenario.Population.TokenStore = "localStorage";

        Assert.Contains("population.tokenStore", Assert.Throws<ArgumentException>(scenario.Validate).Message, StringComparison.Ordinal);
    }
}
