using Microsoft.Extensions.Time.Testing;
using RotationEngine.Servers.Tests.Infrastructure;
using RotationEngine.Servers.Tests.Postgres;
using RotationEngine.Servers.Tests.Redis;
using RotationEngine.Storage;
using RotationEngine.Testing;
using Xunit.Abstractions;

namespace RotationEngine.Servers.Tests;

/// <summary>Runs only when <c>ROTATION_THROUGHPUT</c> is set (to the seconds per measurement, e.g. 3).</summary>
public sealed class ThroughputFactAttribute : FactAttribute
{
    public ThroughputFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ROTATION_THROUGHPUT")))
        {
            Skip = "Set ROTATION_THROUGHPUT=<seconds per measurement> to measure rotations per second on the servers.";
        }
    }
}

/// <summary>
/// Rotations per second through the engine at 1, 8 and 64 concurrent callers, each rotating a family of its
/// own (so every call is a successful rotation: one round trip). The figures for docs/servers.md.
/// </summary>
public sealed class ThroughputTests(ITestOutputHelper output)
{
    private static readonly int[] CallerCounts = [1, 8, 64];

    [ThroughputFact]
    public async Task Postgres_rotations_per_second()
    {
        await using var store = await PostgresStores.CreateAsync();
        await MeasureAsync("PostgreSQL", store);
    }

    [ThroughputFact]
    public async Task Redis_rotations_per_second()
    {
        await using var store = await RedisStores.CreateAsync();
        await MeasureAsync("Redis", store);
    }

    [ThroughputFact]
    public async Task InMemory_rotations_per_second() => await MeasureAsync("in-memory", new InMemoryFamilyStore());

    private async Task MeasureAsync(string name, IFamilyStore store)
    {
        var seconds = double.Parse(Environment.GetEnvironmentVariable("ROTATION_THROUGHPUT")!, System.Globalization.CultureInfo.InvariantCulture);
        var engine = new RefreshTokenEngine(
            store,
            new RotationEngineOptions { DefaultPolicy = new RotationPolicy { MaxGenerations = RotationPolicy.MaxGenerationsLimit } },
            TestKeys.Ring,
            new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56)));
        foreach (var callers in CallerCounts)
        {
            var tokens = new string[callers];
            for (var i = 0; i < callers; i++)
            {
                tokens[i] = (await engine.IssueAsync($"bench-{callers}-{i}", "web")).Token;
            }

            var start = TimeProvider.System.GetTimestamp();
            var until = TimeSpan.FromSeconds(seconds);
            var counts = await Task.WhenAll(Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
            {
                var count = 0;
                while (TimeProvider.System.GetElapsedTime(start) < until)
                {
                    var result = await engine.RotateAsync(tokens[i], "web");
                    Assert.Equal(RotationOutcome.Rotated, result.Outcome);
                    tokens[i] = result.Token!;
                    count++;
                }

                return count;
            })));
            var elapsed = TimeProvider.System.GetElapsedTime(start);
            output.WriteLine($"| {name} | {callers} | {counts.Sum() / elapsed.TotalSeconds:N0} rotations/s |");
        }
    }
}
