using System.Text.Json;
using System.Text.RegularExpressions;
using Simulator.Cli;
using Simulator.Scenarios;

namespace Simulator.Tests;

/// <summary>The README's command on a short run, its files, and the promise that no token leaks into any of it.</summary>
public sealed partial class CommandLineTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sim-tests", Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task The_default_command_runs_a_short_comparison_and_writes_its_reports()
    {
        var output = new StringWriter();

        var exit = await SimulatorCommand.RunAsync(CliOptions.Parse(["--duration", "6h", "--users", "40", "--quiet", "--out", _directory]), output);

        var text = output.ToString();
        Assert.Equal(0, exit);
        Assert.Contains("Scenario spa-tabs", text, StringComparison.Ordinal);
        Assert.Contains("false logouts", text, StringComparison.Ordinal);
        Assert.Contains("/1k user-days", text, StringComparison.Ordinal);
        Assert.Contains("requests/s", text, StringComparison.Ordinal);
        foreach (var policy in Scenario.Load("spa-tabs").Policies)
        {
            Assert.Contains(policy.Name, text, StringComparison.Ordinal);
        }

        var stem = Path.Combine(_directory, "spa-tabs", "seed-1");
        using var json = JsonDocument.Parse(File.ReadAllText(stem + ".json"));
        Assert.Equal(11, json.RootElement.GetProperty("policies").GetArrayLength());
        Assert.Equal(12, File.ReadAllLines(stem + ".csv").Length);
        var svg = File.ReadAllText(stem + ".svg");
        Assert.StartsWith("<svg", svg, StringComparison.Ordinal);
        Assert.Equal(11, Regex.Matches(svg, "<title>").Count);
        foreach (var peer in new[] { "openiddict-30s", "hydra-10s", "supabase-10s", "keycloak-reuse-0", "strict-rotation", "no-rotation" })
        {
            Assert.Contains(peer, text, StringComparison.Ordinal);
        }

        foreach (var content in new[] { text, File.ReadAllText(stem + ".json"), File.ReadAllText(stem + ".csv"), svg })
        {
            AssertNoTokens(content);
        }
    }

    [Fact]
    public async Task A_violation_prints_the_seed_the_invariant_a_trace_and_a_replay_line_without_tokens()
    {
        var output = new StringWriter();

        var exit = await SimulatorCommand.RunAsync(CliOptions.Parse(["--policy", "strict", "--duration", "12h", "--users", "30", "--sabotage", "never-revoke", "--quiet", "--no-files"]), output);

        var text = output.ToString();
        Assert.Equal(1, exit);
        Assert.Contains("INVARIANT VIOLATED with seed 1", text, StringComparison.Ordinal);
        Assert.Contains("revocation is final", text, StringComparison.Ordinal);
        Assert.Contains("trace (", text, StringComparison.Ordinal);
        Assert.Contains("replay: dotnet run --project src/Simulator -c Release -- --scenario spa-tabs --policy strict", text, StringComparison.Ordinal);
        AssertNoTokens(text);
    }

    [Fact]
    public async Task A_traced_run_prints_its_history_without_tokens()
    {
        var output = new StringWriter();

        await SimulatorCommand.RunAsync(CliOptions.Parse(["--scenario", "stolen-cookie", "--policy", "default", "--users", "5", "--duration", "1d", "--trace", "--quiet", "--no-files", "--store", "memory", "--history", _directory]), output);

        var text = output.ToString();
        Assert.Contains("invoke refresh", text, StringComparison.Ordinal);
        AssertNoTokens(text);

        // The same history as JSON lines: one invocation per refresh, each completed ok, fail or info.
        var lines = File.ReadAllLines(Path.Combine(_directory, "stolen-cookie-default-seed-1.jsonl"));
        var entries = lines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var types = entries.Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.True(types.Count(t => t == "invoke") > 10);
        Assert.True(types.Count(t => t == "invoke") >= types.Count(t => t is "ok" or "fail" or "info"));
        AssertNoTokens(string.Join('\n', lines));
    }

    [Fact]
    public void Every_shipped_scenario_loads_and_validates()
    {
        Assert.Equal(["lost-response-storm", "mobile-flaky", "multi-instance-clock-skew", "spa-tabs", "stolen-cookie"], Scenario.BuiltInNames);
        foreach (var name in Scenario.BuiltInNames)
        {
            var scenario = Scenario.Load(name);
            Assert.Equal(name, scenario.Name);
            Assert.True(scenario.Policies.Count >= 3);
        }
    }

    [Fact]
    public void Invalid_scenarios_and_arguments_are_refused_with_a_clear_message()
    {
        var scenario = Scenario.Load("spa-tabs").Clone();
        scenario.Network.ResponseLossRate = 2;
        scenario.Policies[0].GraceDepth = 0;

        var error = Assert.Throws<ArgumentException>(scenario.Validate);
        Assert.Contains("responseLossRate", error.Message, StringComparison.Ordinal);
        Assert.Contains("GraceDepth", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => CliOptions.Parse(["--store", "floppy"]));
        Assert.Throws<ArgumentException>(() => CliOptions.Parse(["--frobnicate"]));
        Assert.Equal(0.5, CliOptions.ParseDuration("12h"));
        Assert.Equal(3.0, CliOptions.ParseDuration("3d"));
    }

    [Fact]
    public void Help_lists_the_options_and_a_bad_option_is_a_clear_error()
    {
        var root = CommandLine.Create((_, _) => Task.FromResult(0));

        var help = new StringWriter();
        Assert.Equal(0, root.Parse(["--help"]).Invoke(new System.CommandLine.InvocationConfiguration { Output = help, Error = new StringWriter() }));
        foreach (var option in new[] { "--scenario", "--store", "--seeds", "--sabotage", "stress", "bench", "list" })
        {
            Assert.Contains(option, help.ToString(), StringComparison.Ordinal);
        }

        var error = new StringWriter();
        Assert.NotEqual(0, root.Parse(["--users", "-3"]).Invoke(new System.CommandLine.InvocationConfiguration { Output = new StringWriter(), Error = error }));
        Assert.Contains("--users must be a positive number", error.ToString(), StringComparison.Ordinal);

        Assert.Contains("'--frobnicate'", Assert.Throws<ArgumentException>(() => CliOptions.Parse(["--frobnicate"])).Message, StringComparison.Ordinal);
        Assert.Contains("Unknown store 'floppy'", Assert.Throws<ArgumentException>(() => CliOptions.Parse(["--store", "floppy"])).Message, StringComparison.Ordinal);
        Assert.Contains("unknown unit", Assert.Throws<ArgumentException>(() => CliOptions.Parse(["--duration", "3w"])).Message, StringComparison.Ordinal);
        Assert.Equal("stress", CliOptions.Parse(["stress", "--threads", "3"]).Command);
        Assert.Equal(3, CliOptions.Parse(["--threads", "3", "stress"]).Threads);
        Assert.Equal(Stores.StoreChoice.Memory, CliOptions.Parse(["--seeds", "5"]).Store);
        Assert.Equal("sqlite", CliOptions.Parse([]).Store.Kind);
    }

    [Fact]
    public void The_policy_table_is_plain_text_one_row_per_line_when_the_output_is_redirected()
    {
        var scenario = TestScenarios.Clockwork(views: 2, graceSeconds: 10);
        scenario.Policies[0].Name = "a-rather-long-policy-name";
        scenario.Policies[0].Binding = true;
        var (report, _) = Simulation.SimulationRunner.RunComparison(scenario, null, 1, Stores.StoreChoice.Memory, Stores.Sabotage.None, Simulation.RunFilter.None);
        var output = new StringWriter();

        Terminal.For(output).Write(Reports.ReportWriter.Table(report));

        var text = output.ToString();
        Assert.DoesNotContain("\u001b", text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n'), line => line.Contains("a-rather-long-policy-name", StringComparison.Ordinal) && line.Contains("grace 10s depth 1 replays unlimited bound", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static void AssertNoTokens(string content)
    {
        Assert.DoesNotContain(RotationEngine.Tokens.TokenFormat.Prefix, content, StringComparison.Ordinal);

        // A token's body is 104 base64url characters; nothing in a report comes close to such a run.
        var match = LongBase64Run().Match(content);
        Assert.False(match.Success, $"'{(match.Success ? match.Value[..8] : "")}…' looks like a token or a secret");
    }

    [GeneratedRegex("(?=[A-Za-z0-9_-]*[A-Za-z0-9])[A-Za-z0-9_-]{40,}")]
    private static partial Regex LongBase64Run();
}
