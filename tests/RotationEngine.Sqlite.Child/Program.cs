// A second (third, …) process on one SQLite file, for tests that need real processes: concurrent rotation
// across processes, and crash safety (a test may SIGKILL it mid-loop).
//
//   issue  --db PATH --key BASE64 --token-file FILE [--client ID] [--grace-depth N] [--grace-window-ms N] [--sync normal|full]
//          Issues one family (to client ID, default "child-client") and writes its token to FILE (write to FILE.tmp,
//          then rename). Prints "issued".
//   rotate --db PATH --key BASE64 --token-file FILE [--client ID] [--count N] [--go-file FILE] [--save-each] [--pause-ms N] [--sync normal|full]
//          Reads the token and presents it as client ID (default: the client the token's family was issued to, read
//          from the store, so the child plays the family's own client whoever issued it), warms up on a throwaway
//          family, prints "ready", waits until --go-file exists (if given), then rotates N times
//          (0 = until killed), printing one line per call: "rotated G", "replay G" or "stopped OUTCOME CAUSE"
//          (then exit code 2). --pause-ms N waits N ms after each call: SQLite's busy handler is not fair
//          (a blocked writer sleeps 1, 2, 5, 10… ms while an unpaced rival keeps taking the lock), so a tight
//          loop can leave a process more than GraceDepth generations behind — correct reuse detection, but
//          not what a lineage test wants. With --save-each the token file is rewritten (atomically) before each
//          "rotated"/"replay" line, so a killer knows the last token the process held. Ends with "done".
//
//   bench  --db PATH [--count N] [--sync normal|full] [--what engine|store|raw]
//          For docs/sqlite.md ("synchronous = FULL"): creates 100 families in PATH, warms up (200 rotations), then makes
//          N rotations (default 2000) round robin and prints "bench WHAT SYNC N: X µs per rotation, WAL K KiB" (the size
//          of the -wal file after the loop). engine:
//          RefreshTokenEngine.RotateAsync; store: SqliteFamilyStore.TryRotateAsync with precomputed digests; raw: a
//          prepared plain UPDATE (generation, digest, token expiry by id) on the same schema through one connection with
//          the same pragmas. With --count 0 only the set-up and warm-up run (to subtract them from an strace count).
//
// Exit codes: 0 done, 2 stopped by an outcome other than Rotated/GraceReplay, 3 store fault, 64 bad usage.
// Never prints a token: only generations and outcome names.
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using RotationEngine;
using RotationEngine.Sqlite;
using RotationEngine.Storage;
using RotationEngine.Tokens;

var arguments = Arguments.Parse(args);
if (arguments is null)
{
    Console.Error.WriteLine("usage: issue|rotate --db PATH --key BASE64 --token-file FILE [options] | bench --db PATH [options] (see Program.cs)");
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
options.Keys.Add(new KeyOptions { Id = "k1", Secret = arguments.Key ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });

try
{
    using var store = new SqliteFamilyStore(new SqliteFamilyStoreOptions { DatabasePath = arguments.Database, Synchronous = arguments.Synchronous });
    var engine = new RefreshTokenEngine(store, options);
    if (arguments.Mode == "bench")
    {
        return await Bench.RunAsync(arguments, store, engine);
    }

    if (arguments.Mode == "issue")
    {
        var issued = await engine.IssueAsync("child-subject", arguments.Client ?? "child-client");
        WriteToken(arguments.TokenFile!, issued.Token);
        Console.WriteLine("issued");
        return 0;
    }

    var token = File.ReadAllText(arguments.TokenFile!).Trim();
    var client = arguments.Client
        ?? (TokenFormat.TryDecode(token, out var parts) ? (await store.FindAsync(parts.FamilyId))?.ClientId : null)
        ?? "child-client";

    // Warm up (JIT, connections, prepared statements) on a throwaway family, so that the first timed rotation
    // is not tens of milliseconds slower than the other process's.
    var warmup = (await engine.IssueAsync("child-warmup", client)).Token;
    for (var i = 0; i < 50; i++)
    {
        var previous = warmup;
        warmup = (await engine.RotateAsync(warmup, client)).Token ?? warmup;
        await engine.RotateAsync(previous, client);
    }

    await engine.RevokeAsync(warmup, client);
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
        var result = await engine.RotateAsync(token, client);
        if (result.Outcome is not (RotationOutcome.Rotated or RotationOutcome.GraceReplay))
        {
            Console.WriteLine($"stopped {result.Outcome} {result.Cause}");
            return 2;
        }

        token = result.Token!;
        if (arguments.SaveEach)
        {
            WriteToken(arguments.TokenFile!, token);
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

/// <summary>The bench mode: µs per rotation through the engine, the store, or a raw prepared UPDATE.</summary>
internal static class Bench
{
    private const int Families = 100;
    private const int WarmUp = 200;

    public static async Task<int> RunAsync(Arguments arguments, SqliteFamilyStore store, RefreshTokenEngine engine)
    {
        var count = arguments.Count == 0 && !arguments.CountGiven ? 2000 : arguments.Count;
        Func<int, ValueTask> rotate = arguments.What switch
        {
            "engine" => await EngineAsync(engine),
            "store" => await StoreAsync(store),
            _ => await RawAsync(arguments, store),
        };
        for (var i = 0; i < WarmUp; i++)
        {
            await rotate(i);
        }

        var clock = TimeProvider.System;
        var started = clock.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            await rotate(WarmUp + i);
        }

        var elapsed = clock.GetElapsedTime(started);
        var each = count == 0 ? 0 : elapsed.TotalMicroseconds / count;
        var wal = new FileInfo(arguments.Database + "-wal");
        var walKilobytes = wal.Exists ? wal.Length / 1024 : 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bench {arguments.What} {arguments.Synchronous} {count}: {each:F0} µs per rotation, WAL {walKilobytes} KiB"));
        return 0;
    }

    private static async Task<Func<int, ValueTask>> EngineAsync(RefreshTokenEngine engine)
    {
        var tokens = new string[Families];
        for (var i = 0; i < tokens.Length; i++)
        {
            tokens[i] = (await engine.IssueAsync($"bench-{i}", "bench-client")).Token;
        }

        return async n =>
        {
            var i = n % tokens.Length;
            tokens[i] = (await engine.RotateAsync(tokens[i], "bench-client")).Token ?? throw new InvalidOperationException("rotation refused");
        };
    }

    private static async Task<Func<int, ValueTask>> StoreAsync(SqliteFamilyStore store)
    {
        var start = TimeProvider.System.GetUtcNow();
        var families = new FamilyRecord[Families];
        for (var i = 0; i < families.Length; i++)
        {
            families[i] = NewFamily(start, $"bench-{i}");
            await store.CreateAsync(families[i]);
        }

        var digests = new[] { RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(16) };
        return async n =>
        {
            var family = families[n % families.Length];
            var now = start.AddMilliseconds(n);
            var issuedAt = family.TokenExpiresAt - family.Policy.TokenLifetime;
            var next = digests[family.Generation % 2];
            families[n % families.Length] = await store.TryRotateAsync(new RotationCommand(
                family.Id, family.Generation, family.Digest, next, family.KeyId, family.ClientId, null, issuedAt, now, GraceLedger.NewSlot(now, next)))
                ?? throw new InvalidOperationException("rotation refused");
        };
    }

    private static async Task<Func<int, ValueTask>> RawAsync(Arguments arguments, SqliteFamilyStore store)
    {
        var start = TimeProvider.System.GetUtcNow();
        var ids = new Guid[Families];
        for (var i = 0; i < ids.Length; i++)
        {
            var family = NewFamily(start, $"bench-{i}");
            await store.CreateAsync(family);
            ids[i] = family.Id.Value;
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = arguments.Database, Pooling = false }.ToString());
        connection.Open();
        using (var pragmas = connection.CreateCommand())
        {
            pragmas.CommandText = $"PRAGMA busy_timeout = 5000; PRAGMA synchronous = {(arguments.Synchronous == SqliteSynchronousMode.Full ? "FULL" : "NORMAL")};";
            pragmas.ExecuteNonQuery();
        }

        var update = connection.CreateCommand();
        update.CommandText = "UPDATE families SET generation = generation + 1, digest = @digest, token_expires_at = @now + token_lifetime_ms WHERE id = @id";
        update.Parameters.Add("@digest", SqliteType.Blob);
        update.Parameters.Add("@now", SqliteType.Integer);
        update.Parameters.Add("@id", SqliteType.Blob);
        update.Prepare();
        var digest = RandomNumberGenerator.GetBytes(16);
        return n =>
        {
            update.Parameters[0].Value = digest;
            update.Parameters[1].Value = FamilyColumns.Milliseconds(start) + n;
            update.Parameters[2].Value = ids[n % ids.Length];
            return update.ExecuteNonQuery() == 1 ? ValueTask.CompletedTask : throw new InvalidOperationException("no row");
        };
    }

    private static FamilyRecord NewFamily(DateTimeOffset now, string subject)
    {
        now = FamilyColumns.Time(FamilyColumns.Milliseconds(now));
        var policy = RotationPolicy.Default;
        return new FamilyRecord
        {
            Id = FamilyId.New(),
            Subject = subject,
            ClientId = "bench-client",
            KeyId = "k1",
            CreatedAt = now,
            FamilyExpiresAt = now + policy.FamilyLifetime,
            TokenExpiresAt = now + policy.TokenLifetime,
            Generation = 0,
            Digest = RandomNumberGenerator.GetBytes(16),
            Ledger = "",
            Policy = PolicySnapshot.Of(policy),
            Seal = RandomNumberGenerator.GetBytes(16),
        };
    }
}

internal sealed record Arguments(
    string Mode, string Database, string? Key, string? TokenFile, string? Client, int Count, bool CountGiven, string? GoFile, bool SaveEach,
    SqliteSynchronousMode Synchronous, int GraceDepth, int GraceWindowMs, int PauseMs, string What)
{
    public static Arguments? Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("issue" or "rotate" or "bench"))
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

        var bench = args[0] == "bench";
        if (!values.TryGetValue("db", out var database)
            || (!bench && (!values.ContainsKey("key") || !values.ContainsKey("token-file"))))
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
        var what = values.GetValueOrDefault("what", "engine");
        return synchronous is null || what is not ("engine" or "store" or "raw") ? null
            : new Arguments(args[0], database, values.GetValueOrDefault("key"), values.GetValueOrDefault("token-file"), values.GetValueOrDefault("client"),
                count, values.ContainsKey("count"), values.GetValueOrDefault("go-file"), saveEach, synchronous.Value, graceDepth, graceWindowMs, pauseMs, what);
    }

    private static bool TryNumber(Dictionary<string, string> values, string name, int fallback, out int value)
    {
        value = fallback;
        return !values.TryGetValue(name, out var text)
            || (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 0);
    }
}
