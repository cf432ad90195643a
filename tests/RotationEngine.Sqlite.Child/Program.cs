// A second (third, …) process on one SQLite file, for tests that need real processes: concurrent rotation
// across processes, and crash safety (a test may SIGKILL it mid-loop).
//
//   issue  --db PATH --key BASE64 --token-file FILE [--grace-depth N] [--grace-window-ms N] [--sync normal|full]
//          Issues one family and writes its token to FILE (write to FILE.tmp, then rename). Prints "issued".
//   rotate --db PATH --key BASE64 --token-file FILE [--count N] [--go-file FILE] [--save-each] [--pause-ms N] [--sync normal|full]
//          Reads the token, warms up on a throwaway family, prints "ready", waits until --go-file exists (if given), then rotates N times
//          (0 = until killed), printing one line per call: "rotated G", "replay G" or "stopped OUTCOME CAUSE"
//          (then exit code 2). --pause-ms N waits N ms after each call: SQLite's busy handler is not fair
//          (a blocked writer sleeps 1, 2, 5, 10… ms while an unpaced rival keeps taking the lock), so a tight
//          loop can leave a process more than GraceDepth generations behind — correct reuse detection, but
//          not what a lineage test wants. With --save-each the token file is rewritten (atomically) before each
//          "rotated"/"replay" line, so a killer knows the last token the process held. Ends with "done".
//
// Exit codes: 0 done, 2 stopped by an outcome other than Rotated/GraceReplay, 3 store fault, 64 bad usage.
// Never prints a token: only generations and outcome names.
using RotationEngine;
using RotationEngine.Sqlite;
using RotationEngine.Storage;

var arguments = Arguments.Parse(args);
if (arguments is null)
{
    Console.Error.WriteLine("usage: issue|rotate --db PATH --key BASE64 --token-file FILE [options] (see Program.cs)");
    return 64;
}

var options = new RotationEngineOptions
{
    DefaultPolicy = RotationPolicy.Default with
    {
        GraceDepth = arguments.GraceDepth,
        GraceWindow = TimeSpan.FromMilliseconds(arguments.GraceWindowMs),
    },
};
options.Keys.Add(new KeyOptions { Id = "k1", Secret = arguments.Key });

try
{
    using var store = new SqliteFamilyStore(new SqliteStoreOptions { DatabasePath = arguments.Database, Synchronous = arguments.Synchronous });
    var engine = new RefreshTokenEngine(store, options);
    if (arguments.Mode == "issue")
    {
        var issued = await engine.IssueAsync("child-subject", "child-client");
        WriteToken(arguments.TokenFile, issued.Token);
        Console.WriteLine("issued");
        return 0;
    }

    var token = File.ReadAllText(arguments.TokenFile).Trim();

    // Warm up (JIT, connections, prepared statements) on a throwaway family, so that the first timed rotation
    // is not tens of milliseconds slower than the other process's.
    var warmup = (await engine.IssueAsync("child-warmup", "child-client")).Token;
    for (var i = 0; i < 50; i++)
    {
        var previous = warmup;
        warmup = (await engine.RotateAsync(warmup)).Token ?? warmup;
        await engine.RotateAsync(previous);
    }

    await engine.RevokeAsync(warmup);
    Console.WriteLine("ready");
    if (arguments.GoFile is not null)
    {
        while (!File.Exists(arguments.GoFile))
        {
            await Task.Delay(2);
        }
    }

    for (var i = 0; arguments.Count == 0 || i < arguments.Count; i++)
    {
        var result = await engine.RotateAsync(token);
        if (result.Outcome is not (RotationOutcome.Rotated or RotationOutcome.GraceReplay))
        {
            Console.WriteLine($"stopped {result.Outcome} {result.Cause}");
            return 2;
        }

        token = result.Token!;
        if (arguments.SaveEach)
        {
            WriteToken(arguments.TokenFile, token);
        }

        Console.WriteLine(result.Outcome == RotationOutcome.Rotated ? $"rotated {result.Generation}" : $"replay {result.Generation}");
        if (arguments.PauseMs > 0)
        {
            await Task.Delay(arguments.PauseMs);
        }
    }

    Console.WriteLine("done");
    return 0;
}
catch (RotationStoreException exception)
{
    Console.WriteLine($"fault {exception.Message}");
    return 3;
}
catch (Microsoft.Extensions.Options.OptionsValidationException exception)
{
    Console.Error.WriteLine(exception.Message);
    return 64;
}

static void WriteToken(string path, string token)
{
    var temporary = path + ".tmp";
    File.WriteAllText(temporary, token);
    File.Move(temporary, path, overwrite: true);
}

internal sealed record Arguments(
    string Mode, string Database, string Key, string TokenFile, int Count, string? GoFile, bool SaveEach,
    SqliteSynchronousMode Synchronous, int GraceDepth, int GraceWindowMs, int PauseMs)
{
    public static Arguments? Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("issue" or "rotate"))
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var saveEach = false;
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == "--save-each")
            {
                saveEach = true;
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
            {
                values[args[i][2..]] = args[++i];
            }
            else
            {
                return null;
            }
        }

        if (!values.TryGetValue("db", out var database) || !values.TryGetValue("key", out var key) || !values.TryGetValue("token-file", out var tokenFile))
        {
            return null;
        }

        if (!TryNumber(values, "count", 0, out var count) || !TryNumber(values, "grace-depth", 1, out var graceDepth)
            || !TryNumber(values, "grace-window-ms", 10_000, out var graceWindowMs) || !TryNumber(values, "pause-ms", 0, out var pauseMs))
        {
            return null;
        }

        var synchronous = values.GetValueOrDefault("sync", "normal") switch
        {
            "normal" => SqliteSynchronousMode.Normal,
            "full" => SqliteSynchronousMode.Full,
            _ => (SqliteSynchronousMode?)null,
        };
        return synchronous is null ? null
            : new Arguments(args[0], database, key, tokenFile, count, values.GetValueOrDefault("go-file"), saveEach, synchronous.Value, graceDepth, graceWindowMs, pauseMs);
    }

    private static bool TryNumber(Dictionary<string, string> values, string name, int fallback, out int value)
    {
        value = fallback;
        return !values.TryGetValue(name, out var text)
            || (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value) && value >= 0);
    }
}
