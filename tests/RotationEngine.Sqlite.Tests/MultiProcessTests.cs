using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using RotationEngine.Storage;

namespace RotationEngine.Sqlite.Tests;

/// <summary>Several processes rotating one family in one database file (RotationEngine.Sqlite.Child).</summary>
public sealed class MultiProcessTests
{
    private const int Processes = 3;
    private const int RotationsPerProcess = 60;

    [Fact]
    public async Task Processes_rotating_one_family_concurrently_keep_a_single_lineage()
    {
        using var database = new TestDatabase();
        var key = Fixtures.NewKeyBase64();
        var tokenFile = Path.Combine(database.Directory, "token");
        var goFile = Path.Combine(database.Directory, "go");
        FamilyId familyId;
        using (var store = database.OpenStore())
        {
            // Deep grace so that a process that falls a few rotations behind replays rather than trips reuse.
            var policy = RotationPolicy.Default with { GraceDepth = RotationPolicy.MaxGraceDepth, GraceWindow = TimeSpan.FromHours(1) };
            var engine = Fixtures.Engine(store, TimeProvider.System, policy, key);
            var issued = await engine.IssueAsync("alice", Fixtures.Client);
            familyId = issued.FamilyId;
            await File.WriteAllTextAsync(tokenFile, issued.Token);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var children = Enumerable.Range(0, Processes)
            .Select(_ => ChildProcess.Start("rotate", "--db", database.Path, "--key", key, "--token-file", tokenFile,
                "--count", RotationsPerProcess.ToString(CultureInfo.InvariantCulture), "--go-file", goFile, "--pause-ms", "2"))
            .ToList();
        try
        {
            foreach (var child in children)
            {
                Assert.Equal("ready", await child.ReadLineAsync(timeout.Token));
            }

            await File.WriteAllTextAsync(goFile, "go");
            var outputs = await Task.WhenAll(children.Select(c => c.ReadToEndAsync(timeout.Token)));
            var lines = outputs.SelectMany(o => o).ToList();
            var stopped = false;
            foreach (var (child, output) in children.Zip(outputs))
            {
                var last = output.LastOrDefault() ?? "";
                if (child.ExitCode == 2)
                {
                    // A process stalled (descheduled, or asleep in SQLite's busy handler) while the others rotated
                    // more than GraceDepth times: its next presentation is reuse by the policy, which revokes the
                    // family and stops the others. Correct behaviour; the lineage must still be single.
                    Assert.True(
                        last is "stopped ReuseDetected GraceDepthExceeded" or "stopped Revoked FamilyRevoked",
                        $"child stopped with: {last}");
                    stopped = true;
                }
                else
                {
                    Assert.True(child.ExitCode == 0, $"child exited {child.ExitCode}: {last} {child.Errors}");
                    Assert.Equal("done", last);
                }
            }

            var rotatedGenerations = lines
                .Where(line => line.StartsWith("rotated ", StringComparison.Ordinal))
                .Select(line => int.Parse(line["rotated ".Length..], CultureInfo.InvariantCulture))
                .Order()
                .ToList();

            using var check = database.OpenStore();
            var family = await check.FindAsync(familyId);

            // Single lineage: every generation from 1 to the stored one was made by exactly one Rotated, in some process.
            Assert.Equal(Enumerable.Range(1, family!.Generation), rotatedGenerations);
            Assert.Equal(stopped ? FamilyStatus.Revoked : FamilyStatus.Active, family.Status);
            if (stopped)
            {
                Assert.Equal(RevocationReason.ReuseDetected, family.RevocationReason);
            }
            else
            {
                Assert.True(family.Generation >= RotationsPerProcess, $"only {family.Generation} rotations");

                // The processes did race: some presented a token another process had just rotated.
                Assert.Contains(lines, line => line.StartsWith("replay ", StringComparison.Ordinal));
            }
        }
        finally
        {
            foreach (var child in children)
            {
                child.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_child_killed_mid_loop_leaves_a_sound_file_and_its_last_saved_token_still_works()
    {
        using var database = new TestDatabase();
        var key = Fixtures.NewKeyBase64();
        var tokenFile = Path.Combine(database.Directory, "token");
        FamilyId familyId;
        using (var store = database.OpenStore())
        {
            var engine = Fixtures.Engine(store, TimeProvider.System, RotationPolicy.Default with { GraceWindow = TimeSpan.FromHours(1) }, key);
            var issued = await engine.IssueAsync("alice", Fixtures.Client);
            familyId = issued.FamilyId;
            await File.WriteAllTextAsync(tokenFile, issued.Token);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var lastAcknowledged = 0;
        using (var child = ChildProcess.Start("rotate", "--db", database.Path, "--key", key, "--token-file", tokenFile, "--count", "0", "--save-each"))
        {
            Assert.Equal("ready", await child.ReadLineAsync(timeout.Token));
            while (lastAcknowledged < 100)
            {
                var line = await child.ReadLineAsync(timeout.Token);
                Assert.NotNull(line);
                Assert.StartsWith("rotated ", line, StringComparison.Ordinal);
                lastAcknowledged = int.Parse(line["rotated ".Length..], CultureInfo.InvariantCulture);
            }

            child.Kill(); // SIGKILL, mid-loop
        }

        using var check = database.OpenStore();
        Assert.Equal("ok", database.Scalar("PRAGMA integrity_check"));
        var family = await check.FindAsync(familyId);
        Assert.True(family!.Generation >= lastAcknowledged, $"generation {family.Generation} < acknowledged {lastAcknowledged}");

        // The token file is written after the commit and before the acknowledgement: it holds the current token,
        // or (killed between commit and file write) its predecessor, which grace replays.
        var engineAfter = Fixtures.Engine(check, TimeProvider.System, key: key);
        var result = await engineAfter.RotateAsync(await File.ReadAllTextAsync(tokenFile), Fixtures.Client);
        Assert.True(result.Outcome is RotationOutcome.Rotated or RotationOutcome.GraceReplay, result.ToString());
    }

    [Fact]
    public async Task A_child_issues_a_family_that_this_process_can_rotate()
    {
        using var database = new TestDatabase();
        var key = Fixtures.NewKeyBase64();
        var tokenFile = Path.Combine(database.Directory, "token");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using (var child = ChildProcess.Start("issue", "--db", database.Path, "--key", key, "--token-file", tokenFile))
        {
            var output = await child.ReadToEndAsync(timeout.Token);
            Assert.Equal(["issued"], output);
            Assert.Equal(0, child.ExitCode);
        }

        using var store = database.OpenStore();
        var engine = Fixtures.Engine(store, new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds())), key: key);
        var result = await engine.RotateAsync(await File.ReadAllTextAsync(tokenFile), "child-client");
        Assert.Equal(RotationOutcome.Rotated, result.Outcome);
        Assert.Equal(1, result.Generation);
    }
}

/// <summary>A running RotationEngine.Sqlite.Child, built next to this test assembly.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _errors;

    private ChildProcess(Process process)
    {
        _process = process;
        _errors = process.StandardError.ReadToEndAsync();
    }

    public int ExitCode => _process.ExitCode;

    public string Errors => _errors.IsCompletedSuccessfully ? _errors.Result : "";

    public static ChildProcess Start(params string[] arguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "RotationEngine.Sqlite.Child.dll");
        Assert.True(File.Exists(dll), "the child project is built next to the tests");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new ChildProcess(Process.Start(start)!);
    }

    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken) =>
        await _process.StandardOutput.ReadLineAsync(cancellationToken);

    /// <summary>The remaining lines of output, after the process exits.</summary>
    public async Task<string[]> ReadToEndAsync(CancellationToken cancellationToken)
    {
        var text = await _process.StandardOutput.ReadToEndAsync(cancellationToken);
        await _process.WaitForExitAsync(cancellationToken);
        await _errors.WaitAsync(cancellationToken);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Kills the process (SIGKILL on Unix) and waits for it to end.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
