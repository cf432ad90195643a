using Microsoft.Extensions.Time.Testing;
using RotationEngine.Storage;
using Xunit.Abstractions;

namespace RotationEngine.Sqlite.Tests;

/// <summary>Footprint (always, with a budget) and single-thread throughput (when
/// <c>ROTATIONENGINE_SQLITE_MEASURE=1</c>; numbers go to the test output, see docs/sqlite.md).</summary>
public sealed class MeasurementTests(ITestOutputHelper output)
{
    private const int Families = 4_000;

    [Fact]
    public async Task A_family_with_a_25_character_subject_takes_at_most_264_bytes_on_disk()
    {
        using var database = new TestDatabase();
        using (var store = database.OpenStore())
        {
            await FillAsync(store, Families);
        }

        var fresh = BytesPerFamily(database);
        database.Scalar("VACUUM");
        var packed = BytesPerFamily(database);
        output.WriteLine($"{Families} families (subject 25 chars, client 12, key 2, no binding or metadata, 1 rotation): {fresh:F0} bytes/family as inserted, {packed:F0} after VACUUM");

        // 258 bytes measured for contract 2 (docs/sqlite.md): the seal (+16 bytes and a header byte) and the 32-character
        // ledger slot (+16) against the 16-byte digest (-16). The project's target was 256 bytes for contract 1's row.
        Assert.InRange(packed, 100, 264);
    }

    [Fact]
    public async Task Single_thread_rotations_per_second()
    {
        if (Environment.GetEnvironmentVariable("ROTATIONENGINE_SQLITE_MEASURE") != "1")
        {
            return;
        }

        foreach (var mode in new[] { SqliteSynchronousMode.Normal, SqliteSynchronousMode.Full })
        {
            using var database = new TestDatabase();
            using var store = new SqliteFamilyStore(new SqliteFamilyStoreOptions { DatabasePath = database.Path, Synchronous = mode });
            var time = new FakeTimeProvider(Fixtures.Start);
            var engine = Fixtures.Engine(store, time);
            var tokens = new string[100];
            for (var i = 0; i < tokens.Length; i++)
            {
                tokens[i] = (await engine.IssueAsync($"user-{i}", Fixtures.Client)).Token;
            }

            async ValueTask RotateWithEngine(int n)
            {
                var i = n % tokens.Length;
                tokens[i] = (await engine.RotateAsync(tokens[i], Fixtures.Client)).Token ?? throw new InvalidOperationException("rotation refused");
            }

            // The store alone: the statement with precomputed digests, round robin over 100 families.
            var families = new FamilyRecord[100];
            for (var i = 0; i < families.Length; i++)
            {
                families[i] = Fixtures.Family(Fixtures.Start);
                await store.CreateAsync(families[i]);
            }

            var digests = Enumerable.Range(0, 2).Select(_ => Fixtures.NewDigest()).ToArray();
            async ValueTask RotateWithStore(int n)
            {
                var family = families[n % families.Length];
                var now = Fixtures.Start.AddMilliseconds(n);
                families[n % families.Length] = await store.TryRotateAsync(Fixtures.Rotation(family, now, digests[family.Generation % 2]))
                    ?? throw new InvalidOperationException("rotation refused");
            }

            await Rate(RotateWithEngine, TimeSpan.FromSeconds(1));
            await Rate(RotateWithStore, TimeSpan.FromSeconds(1));
            var engineRate = await Rate(RotateWithEngine, TimeSpan.FromSeconds(3));
            var storeRate = await Rate(RotateWithStore, TimeSpan.FromSeconds(3));
            output.WriteLine($"synchronous={mode}: engine RotateAsync {engineRate:F0}/s, store TryRotateAsync {storeRate:F0}/s (one thread, WAL file on local disk)");
        }
    }

    [Fact]
    public async Task Eight_threads_rotations_per_second()
    {
        if (Environment.GetEnvironmentVariable("ROTATIONENGINE_SQLITE_MEASURE") != "1")
        {
            return;
        }

        using var database = new TestDatabase();
        using var store = database.OpenStore(poolSize: 8);
        var engine = Fixtures.Engine(store, new FakeTimeProvider(Fixtures.Start));
        var workers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async w =>
        {
            var tokens = new string[20];
            for (var i = 0; i < tokens.Length; i++)
            {
                tokens[i] = (await engine.IssueAsync($"user-{w}-{i}", Fixtures.Client)).Token;
            }

            return tokens;
        }));

        var clock = TimeProvider.System;
        var started = clock.GetTimestamp();
        var counts = await Task.WhenAll(workers.Select(tokens => Task.Run(async () =>
        {
            var count = 0;
            var slowest = TimeSpan.Zero;
            while (clock.GetElapsedTime(started) < TimeSpan.FromSeconds(3))
            {
                var i = count++ % tokens.Length;
                var before = clock.GetTimestamp();
                tokens[i] = (await engine.RotateAsync(tokens[i], Fixtures.Client)).Token ?? throw new InvalidOperationException("rotation refused");
                var took = clock.GetElapsedTime(before);
                slowest = took > slowest ? took : slowest;
            }

            return (count, slowest);
        })));
        var rate = counts.Sum(c => c.count) / clock.GetElapsedTime(started).TotalSeconds;
        output.WriteLine($"8 threads, distinct families, synchronous=Normal: engine RotateAsync {rate:F0}/s in total, slowest call {counts.Max(c => c.slowest).TotalMilliseconds:F0} ms");
    }

    private static async Task<double> Rate(Func<int, ValueTask> operation, TimeSpan duration)
    {
        var clock = TimeProvider.System;
        var started = clock.GetTimestamp();
        var count = 0;
        while (clock.GetElapsedTime(started) < duration)
        {
            await operation(count++);
        }

        return count / clock.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task FillAsync(SqliteFamilyStore store, int count)
    {
        var now = Fixtures.Start;
        for (var i = 0; i < count; i++)
        {
            var family = Fixtures.Family(now, subject: $"user-{i:D8}@example.com") with { ClientId = "web-frontend" };
            await store.CreateAsync(family);
            Assert.NotNull(await store.TryRotateAsync(Fixtures.Rotation(family, now)));
        }
    }

    private static double BytesPerFamily(TestDatabase database)
    {
        database.Scalar("PRAGMA wal_checkpoint(TRUNCATE)");
        var pages = (long)database.Scalar("PRAGMA page_count")!;
        var pageSize = (long)database.Scalar("PRAGMA page_size")!;
        return pages * pageSize / (double)Families;
    }
}
