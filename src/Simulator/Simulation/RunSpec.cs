using System.Globalization;
using System.Text;
using Simulator.Scenarios;
using Simulator.Stores;

namespace Simulator.Simulation;

/// <summary>Everything that determines one deterministic run: with the same spec, the same history.</summary>
internal sealed record RunSpec
{
    public required Scenario Scenario { get; init; }

    public required PolicySettings Policy { get; init; }

    public required ulong Seed { get; init; }

    /// <summary>The scenario name to put in a replay command, or null when the scenario came from the seed (swarm).</summary>
    public string? ScenarioArgument { get; init; }

    public Sabotage Sabotage { get; init; }

    public RunFilter Filter { get; init; } = RunFilter.None;

    /// <summary>A traffic log to replay instead of the scenario's population (<see cref="Traffic.TrafficReader"/>).</summary>
    public string? TrafficFile { get; init; }

    /// <summary>With a traffic log: the share of refreshes after which a thief steals a copy of the session's token.</summary>
    public double TheftRate { get; init; }

    /// <summary>Keep every history entry (for a trace); otherwise only the last few thousand.</summary>
    public bool RecordFullHistory { get; init; }

    /// <summary>Bound policies compare the devices' binding labels instead of running real DPoP proofs
    /// (<see cref="DPoPWire"/>, ≈ 190 µs of CPU per proof): the advisor sets it to search its 55 bound policies within its
    /// time budget. The default command's bound rows run the real proofs, and they measure the same outcomes.</summary>
    public bool ModelBinding { get; init; }

    /// <summary>A change to a bound run's DPoP registration after <c>AddDPoP()</c> (<see cref="DPoPWire"/>): a test
    /// breaks the binding source on purpose to prove that the oracle notices. Null in every real run.</summary>
    public Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? DPoPServices { get; init; }

    /// <summary>The options of this run as command-line arguments, for the replay line.</summary>
    /// <param name="includePolicy">False for the options of a comparison of all the scenario's policies.</param>
    public string ToArguments(bool includePolicy = true)
    {
        var text = new StringBuilder();
        text.Append(ScenarioArgument is null ? "--fuzz" : $"--scenario {ScenarioArgument}");
        if (TrafficFile is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $" --traffic {TrafficFile} --theft-rate {TheftRate}");
        }

        if (ScenarioArgument is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"{(includePolicy ? $" --policy {Policy.Name}" : "")} --users {Scenario.Population.Users} --duration {Scenario.DurationDays.ToString("0.#########", CultureInfo.InvariantCulture)}d");
        }

        text.Append(CultureInfo.InvariantCulture, $" --seed {Seed}");
        if (Sabotage != Sabotage.None)
        {
            text.Append(CultureInfo.InvariantCulture, $" --sabotage {SabotageNames.Format(Sabotage)}");
        }

        text.Append(Filter.ToArguments());
        return text.ToString();
    }
}

/// <summary>What the shrinker removed from a run: actors, fault kinds and the time after the failure.</summary>
internal sealed record RunFilter
{
    public static RunFilter None { get; } = new();

    /// <summary>Only these users take part (null: all).</summary>
    public IReadOnlyList<int>? OnlyUsers { get; init; }

    /// <summary>Stop at this virtual time (ms) instead of the scenario's end.</summary>
    public long? UntilMs { get; init; }

    public bool NoAttackers { get; init; }

    public bool NoForgery { get; init; }

    public bool NoNetworkFaults { get; init; }

    public bool NoRestarts { get; init; }

    public bool SingleInstance { get; init; }

    public string ToArguments()
    {
        var text = new StringBuilder();
        if (OnlyUsers is not null)
        {
            text.Append(" --only-users ").Append(OnlyUsers.Count == 0 ? "none" : string.Join(',', OnlyUsers));
        }

        if (UntilMs is long until)
        {
            text.Append(CultureInfo.InvariantCulture, $" --until-ms {until}");
        }

        if (NoAttackers)
        {
            text.Append(" --no-attackers");
        }

        if (NoForgery)
        {
            text.Append(" --no-forgery");
        }

        if (NoNetworkFaults)
        {
            text.Append(" --no-network-faults");
        }

        if (NoRestarts)
        {
            text.Append(" --no-restarts");
        }

        if (SingleInstance)
        {
            text.Append(" --single-instance");
        }

        return text.ToString();
    }
}
