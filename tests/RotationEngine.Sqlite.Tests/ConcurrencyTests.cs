using RotationEngine.Storage;

namespace RotationEngine.Sqlite.Tests;

/// <summary>Many tasks on many pooled connections racing on one family.</summary>
public sealed class ConcurrencyTests
{
    private const int Racers = 16;

    [Fact]
    public async Task With_grace_each_generation_rotates_once_and_every_other_caller_gets_the_identical_token()
    {
        using var database = new TestDatabase();
        using var store = database.OpenStore(poolSize: 8);
        var engine = Fixtures.Engine(store, Fixtures.Clock());
        var issued = await engine.IssueAsync("alice", Fixtures.Client);
        var token = issued.Token;

        for (var round = 1; round <= 15; round++)
        {
            var results = await Race(() => engine.RotateAsync(token, Fixtures.Client).AsTask());
            var rotated = Assert.Single(results, r => r.Outcome == RotationOutcome.Rotated);
            Assert.Equal(round, rotated.Generation);
            Assert.All(results, r =>
            {
                Assert.True(r.Succeeded, r.ToString());
                Assert.Equal(rotated.Token, r.Token);
            });
            token = rotated.Token!;
        }

        var family = await store.FindAsync(issued.FamilyId);
        Assert.Equal(15, family!.Generation);
        Assert.Equal(FamilyStatus.Active, family.Status);
    }

    [Fact]
    public async Task Without_grace_exactly_one_caller_rotates_and_the_race_revokes_the_family()
    {
        using var database = new TestDatabase();
        using var store = database.OpenStore(poolSize: 8);
        var engine = Fixtures.Engine(store, Fixtures.Clock(), RotationPolicy.Default with { GraceWindow = TimeSpan.Zero });
        var issued = await engine.IssueAsync("alice", Fixtures.Client);

        var results = await Race(() => engine.RotateAsync(issued.Token, Fixtures.Client).AsTask());

        Assert.Single(results, r => r.Outcome == RotationOutcome.Rotated);
        Assert.All(results.Where(r => r.Outcome != RotationOutcome.Rotated), r =>
            Assert.True(r.Outcome is RotationOutcome.ReuseDetected or RotationOutcome.Revoked, r.ToString()));
        Assert.Equal(FamilyStatus.Revoked, (await store.FindAsync(issued.FamilyId))!.Status);
    }

    [Fact]
    public async Task The_store_lets_exactly_one_identical_compare_and_swap_win()
    {
        using var database = new TestDatabase();
        using var store = database.OpenStore(poolSize: 8);
        var family = Fixtures.Family(Fixtures.Start);
        await store.CreateAsync(family);
        for (var generation = 0; generation < 10; generation++)
        {
            var current = (await store.FindAsync(family.Id))!;
            var command = Fixtures.Rotation(current, Fixtures.Start.AddSeconds(generation));
            var results = await Race(() => store.TryRotateAsync(command).AsTask());
            var winner = Assert.Single(results, r => r is not null);
            Assert.Equal(generation + 1, winner!.Generation);
        }
    }

    private static async Task<T[]> Race<T>(Func<Task<T>> call)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racers = Enumerable.Range(0, Racers).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            return await call();
        })).ToArray();
        start.SetResult();
        return await Task.WhenAll(racers);
    }
}
