using System.Globalization;
using Simulator.Cli;
using Simulator.Simulation;
using Simulator.Stores;
using Simulator.Traffic;

namespace Simulator.Tests;

/// <summary>The traffic importer: the shipped sample, refused lines (with their numbers, never their content),
/// and a replay of a million lines in bounded memory.</summary>
public sealed class TrafficTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sim-traffic-").FullName;

    public static string SamplePath
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "RotationEngine.sln")))
            {
                directory = directory.Parent;
            }

            return Path.Combine(directory!.FullName, "samples", "traffic", "sample-traffic.csv");
        }
    }

    [Fact]
    public void The_sample_file_round_trips_through_json_lines_and_csv()
    {
        var records = TrafficReader.ReadAll(SamplePath).ToList();
        var jsonl = Path.Combine(_directory, "sample.jsonl");
        File.WriteAllLines(jsonl, records.Select(r => r.ToJsonLine()));
        var csv = Path.Combine(_directory, "sample.csv");
        File.WriteAllLines(csv, [TrafficRecord.CsvHeader, .. records.Select(r => r.ToCsvLine())]);

        Assert.Equal(1169, records.Count);
        Assert.Equal(30, records.Select(r => r.Session).Distinct().Count());
        Assert.Contains(records, r => r.LostResponse);
        Assert.Contains(records, r => r.Burst is not null);
        Assert.Equal(records, TrafficReader.ReadAll(jsonl).ToList());
        Assert.Equal(records, TrafficReader.ReadAll(csv).ToList());
    }

    [Fact]
    public async Task The_sample_replays_under_every_policy_and_peer()
    {
        var output = new StringWriter();

        var exit = await SimulatorCommand.RunAsync(CliOptions.Parse(["--traffic", SamplePath, "--store", "memory", "--theft-rate", "0.01", "--quiet", "--no-files"]), output);

        var text = output.ToString();
        Assert.Equal(0, exit);
        Assert.Contains("Traffic sample-traffic.csv: 1,169 refreshes of 30 sessions", text, StringComparison.Ordinal);
        Assert.Contains("--traffic", text, StringComparison.Ordinal);
        foreach (var row in new[] { "default", "strict", "openiddict-30s", "keycloak-reuse-0", "no-rotation" })
        {
            Assert.Contains(row, text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("INVARIANT VIOLATED", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_replay_counts_what_the_log_says_by_hand()
    {
        // Two tabs of one session racing (one burst) every ten minutes for an hour. Grace 10 s never logs it out.
        // Strict does at every race but one: at race 3 the losing tab's answer is lost, so the session only learns at
        // race 4, whose first request presents the revoked family's token (one logout for races 3 and 4): 5 in all.
        var lines = new List<string> { TrafficRecord.CsvHeader };
        for (var i = 0; i < 6; i++)
        {
            var t = 1_772_000_000 + i * 600;
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"tab-user,app,{t},false,b{i}"));
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"tab-user,app,{t}.002,{(i == 3 ? "true" : "false")},b{i}"));
        }

        var file = Path.Combine(_directory, "race.csv");
        File.WriteAllLines(file, lines);
        var traffic = TrafficSummary.Check(file);
        var scenario = TestScenarios.Clockwork(views: 1, graceSeconds: 10);
        scenario.Policies.Add(new Scenarios.PolicySettings { Name = "strict", GraceWindowSeconds = 0 });

        var (report, runs) = SimulationRunner.RunComparison(scenario, "clockwork", 1, StoreChoice.Memory, Sabotage.None, RunFilter.None, traffic: traffic);

        var grace = runs.Single(r => r.Spec.Policy.Name == "policy").Metrics;
        var strict = runs.Single(r => r.Spec.Policy.Name == "strict").Metrics;
        Assert.Equal(12, grace.HonestRefreshes);
        Assert.Equal(0, grace.FalseLogouts);
        Assert.Equal(1, grace.HonestUnknown);
        Assert.Equal(5, strict.FalseLogouts);
        Assert.Equal(1, grace.TrafficUserDays);
        Assert.Equal(1, report.Users);
    }

    [Theory]
    [InlineData("session,client\ns1,app", 1, "no 'timestamp' column")]
    [InlineData("session,client,timestamp,colour\n", 1, "column 4 of the header")]
    [InlineData("session,client,timestamp\ns1,app,2026-03-01T00:00:00Z\ns1,app", 3, "expected 3 comma-separated fields")]
    [InlineData("session,client,timestamp\ns1,app,2026-03-01T00:00:00Z\ns1,app,yesterday", 3, "must be ISO 8601")]
    [InlineData("session,client,timestamp\ns1,app,2026-03-01T00:00:10Z\ns2,app,2026-03-01T00:00:05Z", 3, "earlier than the line before")]
    [InlineData("session,client,timestamp\ns 1,app,100", 2, "field 'session' must be 1 to 64 characters")]
    [InlineData("session,client,timestamp,lost_response\ns1,app,100,maybe", 2, "'lost_response' must be true or false")]
    [InlineData("{\"session\":\"s1\",\"client\":\"app\",\"timestamp\":100}\n{\"session\":\"s1\",\"timestamp\":101}", 2, "'client' is missing")]
    [InlineData("{\"session\":\"s1\",\"client\":\"app\",\"timestamp\":100}\n\n{\"session\":\"s1\",\"client\":\"app\",\"timestamp\":101,\"token\":\"x\"}", 3, "not one of session")]
    [InlineData("{\"session\":\"s1\",\"client\":\"app\",\"timestamp\":100}\n[1,2]", 2, "not a JSON object")]
    [InlineData("{\"session\":\"s1\",\"client\":\"app\",\"timestamp\":100}\n{\"session\":", 2, "not a JSON object")]
    public void A_malformed_line_is_refused_with_its_line_number(string content, long line, string problem)
    {
        var error = Assert.Throws<TrafficFormatException>(() => Check(content));

        Assert.Equal(line, error.Line);
        Assert.StartsWith($"traffic file line {line}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("session,client,timestamp\ns1,app,100\n{0},app,101", "session")]
    [InlineData("session,client,timestamp,burst\ns1,app,100,\ns1,app,101,{0}", "burst")]
    [InlineData("{{\"session\":\"s1\",\"client\":\"app\",\"timestamp\":100}}\n{{\"session\":\"s1\",\"client\":\"{0}\",\"timestamp\":101}}", "client")]
    [InlineData("session,client,timestamp,lost_response\ns1,app,100,{0}", "lost_response")]
    public void A_line_holding_a_token_is_refused_without_echoing_it(string template, string field)
    {
        const string token = "rt2_AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        const string secret = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2FsZG8";
        foreach (var value in new[] { token, token[..12], secret })
        {
            var error = Assert.Throws<TrafficFormatException>(() => Check(string.Format(CultureInfo.InvariantCulture, template, value)));

            Assert.Contains($"field '{field}' looks like a token or a secret", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("rt2_", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(value[4..Math.Min(value.Length, 16)], error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_command_line_refuses_a_bad_file_before_any_run_and_without_echoing_it()
    {
        var file = Path.Combine(_directory, "export.csv");
        File.WriteAllText(file, "session,client,timestamp\nrt2_AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,app,100\n");

        var error = await Assert.ThrowsAsync<TrafficFormatException>(() => SimulatorCommand.RunAsync(CliOptions.Parse(["--traffic", file, "--store", "memory", "--quiet", "--no-files"]), new StringWriter()));

        Assert.Equal("traffic file line 2: field 'session' looks like a token or a secret; export pseudonymous ids only (docs/simulator.md).", error.Message);
        Assert.Throws<ArgumentException>(() => TrafficSummary.Check(Path.Combine(_directory, "missing.csv")));
    }

    [Fact]
    public void A_line_longer_than_the_limit_is_refused_without_reading_it_whole()
    {
        var error = Assert.Throws<TrafficFormatException>(() => Check("session,client,timestamp\n" + new string(',', 10_000_000) + "\ns1,app,100"));

        Assert.Equal(2, error.Line);
        Assert.Contains("longer than 4096 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_of_a_million_lines_replays_in_bounded_memory()
    {
        // 5,000 sessions refreshing every ten minutes for 33 hours: 1,000,000 lines (about 45 MB), streamed. The
        // live heap at each checkpoint (after a full collection) must not grow with the lines read.
        const int sessions = 5_000;
        const int lines = 1_000_000;
        var file = Path.Combine(_directory, "million.csv");
        using (var writer = new StreamWriter(file))
        {
            writer.WriteLine("session,client,timestamp");
            for (var i = 0; i < lines; i++)
            {
                writer.Write('u');
                writer.Write((i % sessions).ToString(CultureInfo.InvariantCulture));
                writer.Write(",app,");
                writer.WriteLine((1_772_000_000.0 + i * 0.12).ToString("0.000", CultureInfo.InvariantCulture));
            }
        }

        var scenario = Scenarios.Scenario.Load("spa-tabs").Clone();
        scenario.Policies = scenario.Policies.Where(p => p.Name == "default").ToList();
        var spec = TestScenarios.Spec(scenario) with { TrafficFile = file, TheftRate = 0.0005 };
        var live = new List<long>();
        RunResult result;
        using (var stores = StoreProviders.Create(StoreChoice.Memory, Sabotage.None, "million"))
        using (var simulation = new DeterministicSimulation(spec, stores))
        {
            simulation.TrafficProgress = _ => live.Add(GC.GetTotalMemory(forceFullCollection: true));
            result = simulation.Run();
        }

        Assert.Null(result.Violation);
        Assert.Equal(lines, result.Metrics.HonestRefreshes);
        Assert.Equal(15, live.Count);
        var settled = live[1];
        Assert.True(live.Max() < settled + (16L << 20), $"live heap grew from {settled >> 20} MB to {live.Max() >> 20} MB over {lines:N0} lines");
        Assert.True(live.Max() < 256L << 20, $"live heap {live.Max() >> 20} MB");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private void Check(string content)
    {
        var file = Path.Combine(_directory, $"t{Guid.NewGuid():N}.txt");
        File.WriteAllText(file, content);
        TrafficSummary.Check(file);
    }
}
