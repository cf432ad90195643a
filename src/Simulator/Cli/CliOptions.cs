using System.Globalization;
using Simulator.Simulation;
using Simulator.Stores;

namespace Simulator.Cli;

/// <summary>What the command line asked for, as parsed by <see cref="CommandLine"/>. Every option has a default,
/// so that no argument runs the default scenario.</summary>
internal sealed record CliOptions
{
    public const string DefaultScenario = "spa-tabs";

    /// <summary>The subcommand: run (default), stress, bench, list, advise.</summary>
    public string Command { get; init; } = "run";

    public string Scenario { get; init; } = DefaultScenario;

    public bool Fuzz { get; init; }

    public ulong Seed { get; init; } = 1;

    public int Seeds { get; init; }

    public StoreChoice Store { get; init; } = StoreChoice.Parse("sqlite");

    public string? Policy { get; init; }

    public double? DurationDays { get; init; }

    public int? Users { get; init; }

    public string OutputDirectory { get; init; } = "sim-out";

    public bool WriteFiles { get; init; } = true;

    public bool Quiet { get; init; }

    public Sabotage Sabotage { get; init; }

    public RunFilter Filter { get; init; } = RunFilter.None;

    public int Threads { get; init; } = Math.Max(4, Environment.ProcessorCount * 2);

    public int Families { get; init; } = 64;

    public int Operations { get; init; } = 50_000;

    public bool Trace { get; init; }

    public string? HistoryDirectory { get; init; }

    /// <summary>A traffic log to replay under each policy and peer (CSV or JSON lines).</summary>
    public string? Traffic { get; init; }

    /// <summary>With <see cref="Traffic"/>: the share of refreshes after which a thief steals the session's token.</summary>
    public double TheftRate { get; init; } = 0.001;

    /// <summary>advise: the target false-logout rate per 1,000 user-days.</summary>
    public double MaxFalseLogouts { get; init; } = 100;

    /// <summary>Add the peer strategies' rows (OpenIddict, Hydra, Supabase, Keycloak, strict, no rotation).</summary>
    public bool Peers { get; init; } = true;

    /// <summary>Parses <paramref name="args"/> with <see cref="CommandLine"/>; a bad argument is an
    /// <see cref="ArgumentException"/> naming it.</summary>
    public static CliOptions Parse(IReadOnlyList<string> args)
    {
        var result = CommandLine.Create((_, _) => Task.FromResult(0)).Parse(args);
        if (result.Errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, result.Errors.Select(e => e.Message)));
        }

        return CommandLine.OptionsFrom(result);
    }

    /// <summary>Parses 45s, 90m, 12h, 3d or a plain number of days.</summary>
    public static double ParseDuration(string text)
    {
        if (text.Length == 0)
        {
            throw new ArgumentException("The duration is empty: use 45s, 90m, 12h or 3d.");
        }

        var unit = text[^1];
        var number = char.IsLetter(unit) ? text[..^1] : text;
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new ArgumentException($"The duration '{text}' is not a number with s, m, h or d after it.");
        }

        var days = unit switch
        {
            's' => value / 86_400,
            'm' => value / 1_440,
            'h' => value / 24,
            'd' => value,
            _ when char.IsDigit(unit) || unit == '.' => value,
            _ => throw new ArgumentException($"The duration '{text}' has an unknown unit '{unit}': use s, m, h or d."),
        };
        return days > 0 ? days : throw new ArgumentException($"The duration '{text}' must be positive.");
    }
}
