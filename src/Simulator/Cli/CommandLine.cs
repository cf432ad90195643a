using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Simulator.Simulation;
using Simulator.Stores;

namespace Simulator.Cli;

/// <summary>
/// The command line, defined with System.CommandLine: the default command runs a scenario under each of its
/// policies; <c>stress</c>, <c>bench</c> and <c>list</c> are subcommands. Options are recursive, so they may
/// come before or after a subcommand. System.CommandLine supplies <c>--help</c>, <c>--version</c>, completions
/// and the error for an unknown or malformed option.
/// </summary>
internal static class CommandLine
{
    private static readonly Option<string> ScenarioOption = new("--scenario") { Description = "a shipped scenario (see list) or a JSON file", DefaultValueFactory = _ => CliOptions.DefaultScenario, HelpName = "NAME|FILE" };
    private static readonly Option<string?> PolicyOption = new("--policy") { Description = "run only this policy of the scenario", HelpName = "NAME" };
    private static readonly Option<ulong> SeedOption = new("--seed") { Description = "the seed: one seed, one history", DefaultValueFactory = _ => 1, HelpName = "N" };
    private static readonly Option<int> SeedsOption = Positive(new Option<int>("--seeds") { Description = "swarm: N runs with worlds drawn from seeds S..S+N-1, on all cores", HelpName = "N" });
    private static readonly Option<double?> DurationOption = new("--duration") { Description = "override the duration: 45s, 90m, 12h, 3d", HelpName = "D", CustomParser = ParseDuration };
    private static readonly Option<int?> UsersOption = PositiveNullable(new Option<int?>("--users") { Description = "override the number of users", HelpName = "N" });
    private static readonly Option<StoreChoice?> StoreOption = new("--store") { Description = "memory | sqlite[=DIR] | postgres=CONNECTION-STRING | redis=CONFIGURATION (default sqlite in a temporary directory; memory with --seeds or --sabotage)", HelpName = "STORE", CustomParser = ParseStore };
    private static readonly Option<string> OutOption = new("--out") { Description = "where the reports go", DefaultValueFactory = _ => "sim-out", HelpName = "DIR" };
    private static readonly Option<bool> NoFilesOption = new("--no-files") { Description = "print the table only" };
    private static readonly Option<bool> QuietOption = new("--quiet") { Description = "no progress display" };
    private static readonly Option<Sabotage> SabotageOption = new("--sabotage") { Description = "none | never-revoke | lost-update | ignore-client: a deliberately broken store (the oracle's self-test)", HelpName = "KIND", CustomParser = ParseSabotage };
    private static readonly Option<string?> TrafficOption = new("--traffic") { Description = "replay this traffic log (CSV or JSON lines: session, client, timestamp[, lost_response, burst]) under each policy and peer, with the scenario's network latency, servers and thief strategies", HelpName = "FILE" };
    private static readonly Option<double> TheftRateOption = new("--theft-rate") { Description = "with --traffic: the share of refreshes after which a thief steals a copy of the session's token", DefaultValueFactory = _ => 0.001, HelpName = "R" };
    private static readonly Option<double> MaxFalseLogoutsOption = new("--max-false-logouts") { Description = "advise: the target, false logouts per 1,000 user-days", DefaultValueFactory = _ => 100, HelpName = "N" };
    private static readonly Option<bool> NoPeersOption = new("--no-peers") { Description = "compare our policies only, without the peer strategies' rows (OpenIddict, Hydra, Supabase, Keycloak, strict, no rotation)" };
    private static readonly Option<bool> FuzzOption = new("--fuzz") { Description = "draw the scenario from the seed (what --seeds does per seed)" };
    private static readonly Option<bool> TraceOption = new("--trace") { Description = "print the run's history (best with few users)" };
    private static readonly Option<string?> HistoryOption = new("--history") { Description = "write each policy's history as JSON lines to DIR/<scenario>-<policy>-seed-N.jsonl", HelpName = "DIR" };
    private static readonly Option<int?> ThreadsOption = PositiveNullable(new Option<int?>("--threads") { Description = "stress: threads (default twice the cores, at least 4)", HelpName = "N" });
    private static readonly Option<int> FamiliesOption = Positive(new Option<int>("--families") { Description = "stress: families", DefaultValueFactory = _ => 64, HelpName = "N" });
    private static readonly Option<int> OperationsOption = Positive(new Option<int>("--operations") { Description = "stress: operations", DefaultValueFactory = _ => 50_000, HelpName = "N" });
    private static readonly Option<IReadOnlyList<int>?> OnlyUsersOption = new("--only-users") { Description = "replay filter: only these users (1,2,3 or none)", HelpName = "LIST", CustomParser = ParseUsers };
    private static readonly Option<long?> UntilOption = new("--until-ms") { Description = "replay filter: stop at this virtual time", HelpName = "T" };
    private static readonly Option<bool> NoAttackersOption = new("--no-attackers") { Description = "replay filter: no thefts" };
    private static readonly Option<bool> NoForgeryOption = new("--no-forgery") { Description = "replay filter: no forged tokens" };
    private static readonly Option<bool> NoNetworkFaultsOption = new("--no-network-faults") { Description = "replay filter: no loss, duplication or reordering" };
    private static readonly Option<bool> NoRestartsOption = new("--no-restarts") { Description = "replay filter: no instance restarts" };
    private static readonly Option<bool> SingleInstanceOption = new("--single-instance") { Description = "replay filter: one instance, no clock offset" };

    private static readonly Option[] All =
    [
        ScenarioOption, PolicyOption, SeedOption, SeedsOption, DurationOption, UsersOption, StoreOption, OutOption, NoFilesOption, QuietOption,
        SabotageOption, MaxFalseLogoutsOption, TrafficOption, TheftRateOption, NoPeersOption, FuzzOption, TraceOption, HistoryOption, ThreadsOption, FamiliesOption, OperationsOption,
        OnlyUsersOption, UntilOption, NoAttackersOption, NoForgeryOption, NoNetworkFaultsOption, NoRestartsOption, SingleInstanceOption,
    ];

    /// <summary>The root command; every (sub)command calls <paramref name="run"/> with the parsed options.</summary>
    public static RootCommand Create(Func<CliOptions, CancellationToken, Task<int>> run)
    {
        var root = new RootCommand("Simulator: deterministic simulation of refresh-token rotation, with an invariant oracle and a policy comparison. With no subcommand it runs a scenario under each of its policies and compares them.");
        TheftRateOption.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is not (>= 0 and <= 1))
            {
                r.AddError("--theft-rate must be from 0 to 1.");
            }
        });
        MaxFalseLogoutsOption.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is not (>= 0 and < double.PositiveInfinity))
            {
                r.AddError("--max-false-logouts must be a number from 0.");
            }
        });
        foreach (var option in All)
        {
            option.Recursive = true;
            root.Options.Add(option);
        }

        Command[] subcommands =
        [
            new("run", "run a scenario under each of its policies and compare them (the default)"),
            new("stress", "real threads against a real store; checks lineage, revocation and linearizability"),
            new("bench", "the engine's own Rotate throughput against the simulator's request rate, on one core"),
            new("list", "the shipped scenarios"),
            new("cookie-jar", "the browser scenario with the refresh token in a cookie jar (answers in arrival order) against a newest-generation client, with uncoordinated and single-flight tabs"),
            new("advise", "search grace window × depth × max replays × binding (110 policies) on a scenario or a traffic file; print the Pareto front and the smallest grace meeting --max-false-logouts"),
        ];
        root.SetAction((result, cancellation) => run(OptionsFrom(result), cancellation));
        foreach (var command in subcommands)
        {
            command.SetAction((result, cancellation) => run(OptionsFrom(result), cancellation));
            root.Subcommands.Add(command);
        }

        return root;
    }

    /// <summary>The options of a parse without errors.</summary>
    public static CliOptions OptionsFrom(ParseResult result)
    {
        var command = result.CommandResult.Command is RootCommand ? "run" : result.CommandResult.Command.Name;
        var sabotage = result.GetValue(SabotageOption);
        var seeds = result.GetValue(SeedsOption);
        // The flawed stores are in-memory ones, and a swarm of thousands of small runs is about the oracle, not
        // the database: both default to the in-memory store (an explicit --store still wins).
        var store = result.GetValue(StoreOption) ?? (sabotage != Sabotage.None || seeds > 0 || command == "advise" ? StoreChoice.Memory : StoreChoice.Parse("sqlite"));
        return new CliOptions
        {
            Command = command,
            Scenario = result.GetValue(ScenarioOption)!,
            Policy = result.GetValue(PolicyOption),
            Seed = result.GetValue(SeedOption),
            Seeds = seeds,
            DurationDays = result.GetValue(DurationOption),
            Users = result.GetValue(UsersOption),
            Store = store,
            OutputDirectory = result.GetValue(OutOption)!,
            WriteFiles = !result.GetValue(NoFilesOption),
            Quiet = result.GetValue(QuietOption),
            Sabotage = sabotage,
            Fuzz = result.GetValue(FuzzOption),
            Peers = !result.GetValue(NoPeersOption),
            Traffic = result.GetValue(TrafficOption),
            MaxFalseLogouts = result.GetValue(MaxFalseLogoutsOption),
            TheftRate = result.GetValue(TheftRateOption),
            Trace = result.GetValue(TraceOption),
            HistoryDirectory = result.GetValue(HistoryOption),
            Threads = result.GetValue(ThreadsOption) ?? Math.Max(4, Environment.ProcessorCount * 2),
            Families = result.GetValue(FamiliesOption),
            Operations = result.GetValue(OperationsOption),
            Filter = new RunFilter
            {
                OnlyUsers = result.GetValue(OnlyUsersOption),
                UntilMs = result.GetValue(UntilOption),
                NoAttackers = result.GetValue(NoAttackersOption),
                NoForgery = result.GetValue(NoForgeryOption),
                NoNetworkFaults = result.GetValue(NoNetworkFaultsOption),
                NoRestarts = result.GetValue(NoRestartsOption),
                SingleInstance = result.GetValue(SingleInstanceOption),
            } is var filter && filter == new RunFilter() ? RunFilter.None : filter,
        };
    }

    private static Option<int> Positive(Option<int> option)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() <= 0)
            {
                result.AddError($"{option.Name} must be a positive number.");
            }
        });
        return option;
    }

    private static Option<int?> PositiveNullable(Option<int?> option)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is <= 0)
            {
                result.AddError($"{option.Name} must be a positive number.");
            }
        });
        return option;
    }

    private static double? ParseDuration(ArgumentResult result) =>
        Guard(result, text => (double?)CliOptions.ParseDuration(text));

    private static StoreChoice? ParseStore(ArgumentResult result) => Guard(result, StoreChoice.Parse);

    private static Sabotage ParseSabotage(ArgumentResult result) => Guard(result, SabotageNames.Parse);

    private static IReadOnlyList<int>? ParseUsers(ArgumentResult result) => Guard(result, text =>
        text == "none" ? [] : (IReadOnlyList<int>)text.Split(',').Select(u => int.TryParse(u, NumberStyles.None, CultureInfo.InvariantCulture, out var user) ? user : throw new ArgumentException($"--only-users takes user numbers separated by commas, or none; '{u}' is not one.")).ToList());

    /// <summary>Runs a parser that throws <see cref="ArgumentException"/>, turning the exception into a parse error.</summary>
    private static T Guard<T>(ArgumentResult result, Func<string, T> parse)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        try
        {
            return parse(text);
        }
        catch (ArgumentException error)
        {
            result.AddError(error.Message);
            return default!;
        }
    }
}
