using System.Globalization;
using Simulator.Simulation;
using Simulator.Stores;

namespace Simulator.Cli;

/// <summary>The command line. Every option has a default, so that no argument runs the default scenario.</summary>
internal sealed class CliOptions
{
    public const string DefaultScenario = "spa-tabs";

    public string Command { get; private set; } = "run";

    public string Scenario { get; private set; } = DefaultScenario;

    public bool Fuzz { get; private set; }

    public ulong Seed { get; private set; } = 1;

    public int Seeds { get; private set; }

    public StoreChoice Store { get; private set; } = StoreChoice.Parse("sqlite");

    public bool StoreGiven { get; private set; }

    public string? Policy { get; private set; }

    public double? DurationDays { get; private set; }

    public int? Users { get; private set; }

    public string OutputDirectory { get; private set; } = "sim-out";

    public bool WriteFiles { get; private set; } = true;

    public bool Quiet { get; private set; }

    public Sabotage Sabotage { get; private set; }

    public RunFilter Filter { get; private set; } = RunFilter.None;

    public int Threads { get; private set; } = Math.Max(4, Environment.ProcessorCount * 2);

    public int Families { get; private set; } = 64;

    public int Operations { get; private set; } = 50_000;

    public bool Trace { get; private set; }

    public string? HistoryDirectory { get; private set; }

    public static string Usage => """
        Simulator: deterministic simulation of refresh-token rotation, with an invariant oracle and a policy comparison.

        Usage:
          Simulator [run] [options]        run a scenario under each of its policies and compare them (default)
          Simulator --seeds N [--seed S]   swarm: N runs with parameters drawn from seeds S..S+N-1, on all cores
          Simulator stress [options]       real threads against a real store; checks lineage, revocation, linearizability
          Simulator bench                  the engine's own Rotate throughput against the simulator's rate
          Simulator list                   the shipped scenarios

        Options:
          --scenario NAME|FILE     a shipped scenario (default spa-tabs) or a JSON file
          --policy NAME            run only this policy of the scenario
          --seed N                 the seed (default 1)
          --duration D             override the duration: 12h, 3d, 90m, 45s
          --users N                override the number of users
          --store memory|sqlite[=DIR]  the store (default sqlite in a temporary directory; memory for --seeds)
          --out DIR                where the JSON, CSV and SVG reports go (default sim-out)
          --no-files               print the table only
          --quiet                  no progress bar
          --sabotage none|never-revoke|lost-update|ignore-client   a deliberately broken store (oracle self-test)
          --fuzz                   draw the scenario from the seed (what --seeds does per seed)
          --trace                  print the run's history (best with few users)
          --history DIR            write each policy's whole history as JSON lines to DIR/<scenario>-<policy>-seed-N.jsonl
        Replay filters (printed by the shrinker): --only-users 1,2 --until-ms T --no-attackers --no-forgery
          --no-network-faults --no-restarts --single-instance
        Stress options: --threads N --families N --operations N --store ... --sabotage ...
        """;

    public static CliOptions Parse(IReadOnlyList<string> args)
    {
        var options = new CliOptions();
        var filter = RunFilter.None;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"{arg} needs a value.");
                }

                return args[++i];
            }

            switch (arg)
            {
                case "run" or "stress" or "bench" or "list" or "help" when i == 0:
                    options.Command = arg;
                    break;
                case "-h" or "--help":
                    options.Command = "help";
                    break;
                case "--scenario":
                    options.Scenario = Value();
                    break;
                case "--fuzz":
                    options.Fuzz = true;
                    break;
                case "--seed":
                    options.Seed = ulong.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--seeds":
                    options.Seeds = PositiveInt(arg, Value());
                    break;
                case "--store":
                    options.Store = StoreChoice.Parse(Value());
                    options.StoreGiven = true;
                    break;
                case "--policy":
                    options.Policy = Value();
                    break;
                case "--duration":
                    options.DurationDays = ParseDuration(Value());
                    break;
                case "--users":
                    options.Users = PositiveInt(arg, Value());
                    break;
                case "--out":
                    options.OutputDirectory = Value();
                    break;
                case "--no-files":
                    options.WriteFiles = false;
                    break;
                case "--quiet":
                    options.Quiet = true;
                    break;
                case "--trace":
                    options.Trace = true;
                    break;
                case "--history":
                    options.HistoryDirectory = Value();
                    break;
                case "--sabotage":
                    options.Sabotage = SabotageNames.Parse(Value());
                    break;
                case "--threads":
                    options.Threads = PositiveInt(arg, Value());
                    break;
                case "--families":
                    options.Families = PositiveInt(arg, Value());
                    break;
                case "--operations":
                    options.Operations = PositiveInt(arg, Value());
                    break;
                case "--only-users":
                    var list = Value();
                    filter = filter with { OnlyUsers = list == "none" ? [] : list.Split(',').Select(u => int.Parse(u, CultureInfo.InvariantCulture)).ToList() };
                    break;
                case "--until-ms":
                    filter = filter with { UntilMs = long.Parse(Value(), CultureInfo.InvariantCulture) };
                    break;
                case "--no-attackers":
                    filter = filter with { NoAttackers = true };
                    break;
                case "--no-forgery":
                    filter = filter with { NoForgery = true };
                    break;
                case "--no-network-faults":
                    filter = filter with { NoNetworkFaults = true };
                    break;
                case "--no-restarts":
                    filter = filter with { NoRestarts = true };
                    break;
                case "--single-instance":
                    filter = filter with { SingleInstance = true };
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{arg}'. Run with --help for the options.");
            }
        }

        options.Filter = filter;
        // The flawed stores are in-memory ones, and a swarm of thousands of small runs is about the oracle, not
        // the database: both default to the in-memory store (an explicit --store still wins).
        if ((options.Sabotage != Sabotage.None || options.Seeds > 0) && !options.StoreGiven)
        {
            options.Store = StoreChoice.Memory;
        }

        return options;
    }

    /// <summary>Parses 45s, 90m, 12h, 3d or a plain number of days.</summary>
    public static double ParseDuration(string text)
    {
        var unit = text[^1];
        var number = char.IsLetter(unit) ? text[..^1] : text;
        var value = double.Parse(number, CultureInfo.InvariantCulture);
        var days = unit switch
        {
            's' => value / 86_400,
            'm' => value / 1_440,
            'h' => value / 24,
            _ => value,
        };
        return days > 0 ? days : throw new ArgumentException($"The duration '{text}' must be positive.");
    }

    private static int PositiveInt(string name, string text)
    {
        var value = int.Parse(text, CultureInfo.InvariantCulture);
        return value > 0 ? value : throw new ArgumentException($"{name} must be positive.");
    }
}
