using System.Globalization;
using System.Text;
using RotationEngine.Benchmarks.Infrastructure;
using RotationEngine.Benchmarks.Peers;
using RotationEngine.Storage;

namespace RotationEngine.Benchmarks.Footprint;

/// <summary>
/// Bytes per family after F families × R rotations, at R = 0, 1, 10 and 100: the managed heap the in-memory
/// store holds (full collection before each reading; the benchmark's own array of current tokens subtracted),
/// the SQLite store's file (checkpointed, WAL folded in), and, for contrast, the token-per-row design's file.
/// Each family has its own subject (a user), client id "rolling", no binding and no metadata; a second
/// in-memory run puts every family under one subject, which shows what the per-subject index costs.
/// </summary>
internal static class StorageMeasurement
{
    private static readonly int[] Checkpoints = [0, 1, 10, 100];

    // A 108-character token string: 20 bytes of header and length, 2 per character, 2 for the terminator, rounded to 8.
    private const long TokenStringBytes = 240;

    public static string Run(int memoryFamilies, int sqliteFamilies, int tokenPerRowFamilies)
    {
        var text = new StringBuilder();
        void Line(string line)
        {
            text.Append(line).Append('\n');
            Console.WriteLine(line);
        }

        Line($"Machine: {Machine.Describe()}. Load average before: {Machine.LoadAverage()}.");
        Line("");
        Line("| Store | Families | Rotations per family | Total bytes | Bytes per family |");
        Line("|---|---:|---:|---:|---:|");
        foreach (var row in InMemory(memoryFamilies, oneSubject: false))
        {
            Line(row);
        }

        foreach (var row in InMemory(memoryFamilies, oneSubject: true))
        {
            Line(row);
        }

#if SQLITE_STORE
        foreach (var row in Sqlite(sqliteFamilies))
        {
            Line(row);
        }
#else
        _ = sqliteFamilies;
#endif
        foreach (var row in TokenPerRow(tokenPerRowFamilies))
        {
            Line(row);
        }

        Line("");
        Line($"Load average after: {Machine.LoadAverage()}.");
        return text.ToString();
    }

    private static IEnumerable<string> InMemory(int families, bool oneSubject)
    {
        var tokens = new string[families];
        var store = new InMemoryFamilyStore();
        var engine = EngineFixture.Create(store);
        var before = HeapBytes();
        for (var i = 0; i < families; i++)
        {
            tokens[i] = engine.IssueAsync(oneSubject ? EngineFixture.Subject : Subject(i), EngineFixture.Rolling).AsTask().GetAwaiter().GetResult().Token;
        }

        var done = 0;
        foreach (var target in Checkpoints)
        {
            for (; done < target; done++)
            {
                for (var i = 0; i < families; i++)
                {
                    tokens[i] = engine.RotateAsync(tokens[i], EngineFixture.Rolling).AsTask().GetAwaiter().GetResult().Token ?? throw new InvalidOperationException("Rotation failed.");
                }
            }

            var bytes = HeapBytes() - before - (families * TokenStringBytes);
            yield return Row(oneSubject ? "in-memory, all families of one subject" : "in-memory", families, target, bytes);
        }

        GC.KeepAlive(store);
        GC.KeepAlive(tokens);
    }

#if SQLITE_STORE
    private static IEnumerable<string> Sqlite(int families)
    {
        using var store = BenchmarkStore.Create(StoreKind.SqliteNormal);
        var engine = EngineFixture.Create(store.Store);
        var tokens = new string[families];
        using var reader = SqliteFiles.Open(store.DatabasePath!, full: false);
        var empty = SqliteFiles.CheckpointedSize(reader);
        for (var i = 0; i < families; i++)
        {
            tokens[i] = engine.IssueAsync(Subject(i), EngineFixture.Rolling).AsTask().GetAwaiter().GetResult().Token;
        }

        var done = 0;
        foreach (var target in Checkpoints)
        {
            for (; done < target; done++)
            {
                for (var i = 0; i < families; i++)
                {
                    tokens[i] = engine.RotateAsync(tokens[i], EngineFixture.Rolling).AsTask().GetAwaiter().GetResult().Token ?? throw new InvalidOperationException("Rotation failed.");
                }
            }

            yield return Row("SQLite file (WAL checkpointed)", families, target, SqliteFiles.CheckpointedSize(reader) - empty);
        }
    }
#endif

    private static IEnumerable<string> TokenPerRow(int families)
    {
        var directory = SqliteFiles.NewDirectory();
        try
        {
            using var design = new TokenPerRowDesign(SqliteFiles.Open(Path.Combine(directory, "token-per-row.db"), full: false));
            var empty = SqliteFiles.CheckpointedSize(design.Connection);
            var tokens = new string[families];
            for (var i = 0; i < families; i++)
            {
                tokens[i] = design.Issue(Subject(i), EngineFixture.Rolling);
            }

            var done = 0;
            var rows = new List<string>();
            foreach (var target in Checkpoints)
            {
                for (; done < target; done++)
                {
                    for (var i = 0; i < families; i++)
                    {
                        tokens[i] = design.Rotate(tokens[i]) ?? throw new InvalidOperationException("Rotation failed.");
                    }
                }

                rows.Add(Row("token-per-row design (SQLite file)", families, target, SqliteFiles.CheckpointedSize(design.Connection) - empty));
            }

            return rows;
        }
        finally
        {
            SqliteFiles.Delete(directory);
        }
    }

    private static string Subject(int i) => string.Create(CultureInfo.InvariantCulture, $"user-{i:D8}");

    private static long HeapBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static string Row(string store, int families, int rotations, long bytes) =>
        string.Create(CultureInfo.InvariantCulture, $"| {store} | {families:N0} | {rotations} | {bytes:N0} | {(double)bytes / families:N0} |");
}
