using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using RotationEngine.Keys;
using RotationEngine.Sqlite;
using RotationEngine.Testing;
using RotationEngine.Testing.Harness;
using Xunit.Abstractions;

namespace RotationEngine.Testing.Tests.Sqlite;

/// <summary>
/// Invariant 10, crash safety: two child processes (RotationEngine.Sqlite.Child) rotate their own families in a
/// loop on one SQLite file and are killed with SIGKILL at random moments, round after round. After each kill the
/// file must pass <c>PRAGMA integrity_check</c>, and each family must be in the state before or after the
/// rotation that was in flight: its stored generation is the one of the token the child last saved, or one
/// more (committed, not yet saved), never less and never forked — the saved token still rotates, or replays
/// within grace. Kill moments come from a seed printed on failure (ROTATION_CRASH_SEED replays them).
/// </summary>
public sealed class CrashSafetyTests(ITestOutputHelper output)
{
    private const int Families = 2;
    internal const string GraceWindowMs = "3600000";

    [Fact]
    public async Task Families_killed_mid_rotation_are_in_their_before_or_after_state()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ROTATION_CRASH_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var fixedSeed)
            ? fixedSeed
            : RandomNumberGenerator.GetInt32(int.MaxValue);
        var random = new Random(seed);
        var rounds = PropertyRunSettings.Cases(6);
        var directory = Directory.CreateTempSubdirectory("rotation-crash-").FullName;
        var database = Path.Combine(directory, "families.db");
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var engineOptions = Options(key);
        var tokenFiles = Enumerable.Range(0, Families).Select(i => Path.Combine(directory, $"token{i}")).ToArray();
        var ids = new FamilyId[Families];
        using (var store = new SqliteFamilyStore(new SqliteFamilyStoreOptions { DatabasePath = database }))
        {
            var engine = new RefreshTokenEngine(store, engineOptions);
            for (var i = 0; i < Families; i++)
            {
                var issued = await engine.IssueAsync($"crash-{i}", "web");
                ids[i] = issued.FamilyId;
                await File.WriteAllTextAsync(tokenFiles[i], issued.Token);
            }
        }

        var kills = 0;
        var progress = new int[Families];
        var states = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            for (var round = 0; round < rounds; round++)
            {
                var saved = tokenFiles.Select(f => GenerationOf(File.ReadAllText(f))).ToArray();
                var children = tokenFiles.Select(file => Child.Start(
                    "rotate", "--db", database, "--key", key, "--token-file", file, "--count", "0", "--save-each",
                    "--grace-window-ms", GraceWindowMs)).ToArray();
                try
                {
                    foreach (var child in children)
                    {
                        await child.WaitForAsync("ready", TimeSpan.FromSeconds(60));
                    }

                    // Let them rotate, then kill each at its own random instant.
                    var deadlines = children.Select(_ => random.Next(5, 250)).ToArray();
                    var started = TimeProvider.System.GetTimestamp();
                    foreach (var (child, deadline) in children.Zip(deadlines).OrderBy(pair => pair.Second))
                    {
                        var wait = deadline - (int)TimeProvider.System.GetElapsedTime(started).TotalMilliseconds;
                        if (wait > 0)
                        {
                            await Task.Delay(wait);
                        }

                        child.Kill();
                        kills++;
                    }
                }
                finally
                {
                    foreach (var child in children)
                    {
                        child.Dispose();
                    }
                }

                foreach (var state in await CheckAsync(database, engineOptions, ids, tokenFiles, children.Select(c => c.LastAcknowledged).ToArray(), saved, $"seed {seed}, round {round}"))
                {
                    states[state] = states.GetValueOrDefault(state) + 1;
                }

                for (var i = 0; i < Families; i++)
                {
                    progress[i] += GenerationOf(File.ReadAllText(tokenFiles[i])) - saved[i];
                }
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }

        Assert.Equal(rounds * Families, kills);
        Assert.All(progress, rotations => Assert.True(rotations > 0, "the children were killed before they rotated at all"));
        output.WriteLine($"seed {seed}: {kills} kills, {string.Join(", ", progress)} rotations per family; states after a kill: {string.Join(", ", states.Select(s => $"{s.Key} ×{s.Value}"))}");
    }

    /// <summary>Checks every family after a kill; returns how each was found (for the test's output).</summary>
    internal static async Task<List<string>> CheckAsync(string database, RotationEngineOptions options, FamilyId[] ids, string[] tokenFiles, int?[] acknowledgedBy, int[] savedBefore, string where)
    {
        using (var connection = new SqliteConnection($"Data Source={database}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA integrity_check";
            Assert.True("ok" == (string?)command.ExecuteScalar(), $"{Invariant.CrashSafe.Describe()}: the file is damaged after a kill ({where})");
        }

        using var store = new SqliteFamilyStore(new SqliteFamilyStoreOptions { DatabasePath = database });
        var engine = new RefreshTokenEngine(store, options);
        var found = new List<string>();
        for (var i = 0; i < ids.Length; i++)
        {
            var token = await File.ReadAllTextAsync(tokenFiles[i]);
            var saved = GenerationOf(token);
            var acknowledged = acknowledgedBy[i] ?? savedBefore[i];
            var family = await store.FindAsync(ids[i]);
            var context = $"family {i}: acknowledged generation {acknowledged}, saved {saved}, stored {family?.Generation} ({where})";
            Assert.True(family is { Status: FamilyStatus.Active }, $"{Invariant.CrashSafe.Describe()}: the family is gone or revoked; {context}");
            Assert.True(saved == acknowledged || saved == acknowledged + 1, $"{Invariant.CrashSafe.Describe()}: the saved token is not the last acknowledged one or its successor; {context}");
            Assert.True(family.Generation == saved || family.Generation == saved + 1, $"{Invariant.CrashSafe.Describe()}: the stored generation is neither the before nor the after state; {context}");

            var answer = await engine.InspectAsync(token);
            var expected = family.Generation == saved ? RotationOutcome.Rotated : RotationOutcome.GraceReplay;
            Assert.True(answer.Outcome == expected, $"{Invariant.CrashSafe.Describe()}: the saved token gets {answer.Outcome}, not {expected} (a fork or a lost write); {context}");
            found.Add(family.Generation == saved
                ? saved == acknowledged ? "settled" : "saved, not acknowledged"
                : "committed, not saved");
        }

        return found;
    }

    internal static RotationEngineOptions Options(string key)
    {
        // The child's policy: the default with a one-hour grace window, depth 1.
        var options = new RotationEngineOptions { DefaultPolicy = RotationPolicy.Default with { GraceWindow = TimeSpan.FromMilliseconds(int.Parse(GraceWindowMs, CultureInfo.InvariantCulture)) } };
        options.Keys.Add(new KeyOptions { Id = "k1", Secret = key });
        return options;
    }

    internal static int GenerationOf(string token) => TokenForgery.GenerationOf(token.Trim());

    /// <summary>A running child; reads its output continuously (so it never blocks on a full pipe) and keeps the
    /// last generation it acknowledged. Its output never contains a token.</summary>
    private sealed class Child : IDisposable
    {
        private readonly Process _process;
        private readonly Task _reader;
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _lastAcknowledged = -1;

        private Child(Process process)
        {
            _process = process;
            _reader = Task.Run(ReadAsync);
        }

        public int? LastAcknowledged => Volatile.Read(ref _lastAcknowledged) is var g and >= 0 ? g : null;

        public static Child Start(params string[] arguments)
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "RotationEngine.Sqlite.Child.dll");
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

            return new Child(Process.Start(start)!);
        }

        public async Task WaitForAsync(string line, TimeSpan timeout)
        {
            await _ready.Task.WaitAsync(timeout);
            Assert.Equal("ready", line);
        }

        private async Task ReadAsync()
        {
            _ = _process.StandardError.ReadToEndAsync();
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line == "ready")
                {
                    _ready.TrySetResult();
                }
                else if (line.StartsWith("rotated ", StringComparison.Ordinal) || line.StartsWith("replay ", StringComparison.Ordinal))
                {
                    Volatile.Write(ref _lastAcknowledged, int.Parse(line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture));
                }
            }

            _ready.TrySetException(new InvalidOperationException("The child ended before it was ready."));
        }

        /// <summary>SIGKILL on Unix; waits until the process and its output have ended.</summary>
        public void Kill()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.WaitForExit();
            _reader.Wait(TimeSpan.FromSeconds(10));
        }

        public void Dispose()
        {
            Kill();
            _process.Dispose();
        }
    }
}
