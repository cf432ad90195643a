using System.Collections.Concurrent;
using RotationEngine.Storage;

namespace RotationEngine.Testing;

public abstract partial class FamilyStoreConformanceTests
{
    /// <summary>How many concurrent callers the concurrency tests use; lower it for slow stores.</summary>
    protected virtual int Concurrency => 16;

    /// <summary>Many tabs present the same token at once: exactly one rotates, every other one gets the identical
    /// current token (invariants 1, 4 and 9).</summary>
    [Fact]
    public async Task Concurrent_refreshes_yield_one_rotation_and_identical_replays()
    {
        var engine = CreateEngine();
        var issued = await IssueAsync(engine);

        var results = await RaceAsync(Concurrency, _ => engine.RotateAsync(issued.Token, Client));

        var rotated = Assert.Single(results, r => r.Outcome == RotationOutcome.Rotated);
        Assert.All(results, r =>
        {
            Assert.True(r.Outcome is RotationOutcome.Rotated or RotationOutcome.GraceReplay, $"Unexpected {r}.");
            Assert.Equal(rotated.Token, r.Token);
        });
        Assert.Equal(1, (await Store.FindAsync(issued.FamilyId))!.Generation);
    }

    /// <summary>Rounds of concurrent refreshes: exactly one rotation per generation, and the lineage never forks.</summary>
    [Fact]
    public async Task Concurrent_rounds_rotate_exactly_once_per_generation()
    {
        const int rounds = 10;
        var engine = CreateEngine();
        var token = (await IssueAsync(engine)).Token;

        for (var round = 1; round <= rounds; round++)
        {
            var presented = token;
            var results = await RaceAsync(Math.Max(2, Concurrency / 2), _ => engine.RotateAsync(presented, Client));
            var rotated = Assert.Single(results, r => r.Outcome == RotationOutcome.Rotated);
            Assert.Equal(round, rotated.Generation);
            Assert.All(results, r => Assert.Equal(rotated.Token, r.Token));
            token = rotated.Token!;
            Time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(rounds, (await Store.FindAsync(TokenForgery.FamilyOf(token)))!.Generation);
    }

    /// <summary>With strict rotation, concurrent presentations give one rotation and the family ends revoked.</summary>
    [Fact]
    public async Task Concurrent_refreshes_under_strict_rotation_revoke_the_family()
    {
        var engine = CreateEngine(Policy with { GraceWindow = TimeSpan.Zero });
        var issued = await IssueAsync(engine);

        var results = await RaceAsync(Concurrency, _ => engine.RotateAsync(issued.Token, Client));

        Assert.Single(results, r => r.Outcome == RotationOutcome.Rotated);
        Assert.DoesNotContain(results, r => r.Outcome == RotationOutcome.GraceReplay);
        Assert.Contains(results, r => r.Outcome == RotationOutcome.ReuseDetected);
        Assert.All(results, r => Assert.True(r.Outcome is RotationOutcome.Rotated or RotationOutcome.ReuseDetected or RotationOutcome.Revoked, $"Unexpected {r}."));
        Assert.Equal(FamilyStatus.Revoked, (await Store.FindAsync(issued.FamilyId))!.Status);
    }

    /// <summary>Rotation racing revocation: revocation is final whatever the interleaving (invariant 2).</summary>
    [Fact]
    public async Task Revocation_racing_rotation_is_final()
    {
        var engine = CreateEngine();
        for (var trial = 0; trial < 5; trial++)
        {
            var issued = await IssueAsync(engine);
            var results = await RaceAsync(Concurrency, i => i == 0
                ? RevokeAsResult(engine, issued.FamilyId)
                : engine.RotateAsync(issued.Token, Client));

            Assert.Equal(FamilyStatus.Revoked, (await Store.FindAsync(issued.FamilyId))!.Status);
            foreach (var token in results.Where(r => r.Token is not null).Select(r => r.Token).Distinct())
            {
                await ExpectAsync(engine, token, RotationOutcome.Revoked);
            }

            await ExpectAsync(engine, issued.Token, RotationOutcome.Revoked);
        }
    }

    /// <summary>Sign-ins racing the sessions page and "sign out everywhere" (invariant 9): a family whose issue returned
    /// before a RevokeSubject began is revoked by it, and no concurrent ListFamilies makes a family invisible to later
    /// ones.</summary>
    [Fact]
    public async Task Issue_racing_list_and_revoke_subject_never_loses_a_family()
    {
        var engine = CreateEngine();
        var issues = Math.Max(20, Concurrency * 10);
        long clock = 0;
        var issued = new ConcurrentBag<(IssueResult Family, long DoneAt)>();
        var revokeStarts = new ConcurrentBag<long>();
        using var done = new CancellationTokenSource();

        var signIns = Task.Run(async () =>
        {
            await Parallel.ForAsync(0, issues, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Concurrency / 4) }, async (_, _) =>
            {
                var family = await engine.IssueAsync("racer", Client);
                issued.Add((family, Interlocked.Increment(ref clock)));
            });
            await done.CancelAsync();
        });
        var listers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                await engine.ListFamiliesAsync("racer");
            }
        })).ToArray();
        var revoker = Task.Run(async () =>
        {
            for (var i = 0; i < 3 && !done.IsCancellationRequested; i++)
            {
                await Task.Delay(5);
                revokeStarts.Add(Interlocked.Increment(ref clock));
                await engine.RevokeSubjectAsync("racer", RevocationReason.CredentialsChanged);
            }
        });
        await Task.WhenAll([signIns, revoker, .. listers]);

        // Every family issued before a revocation began is revoked; every other one is still listed and live.
        var lastRevoke = revokeStarts.IsEmpty ? 0 : revokeStarts.Max();
        var listed = (await engine.ListFamiliesAsync("racer")).Select(f => f.Id).ToHashSet();
        foreach (var (family, doneAt) in issued)
        {
            var record = await Store.FindAsync(family.FamilyId);
            Assert.NotNull(record);
            if (doneAt < lastRevoke)
            {
                Assert.True(record.Status == FamilyStatus.Revoked, $"A family issued before RevokeSubject began is still {record.Status}.");
            }
            else if (record.Status == FamilyStatus.Active)
            {
                Assert.True(listed.Contains(family.FamilyId), "A live family is missing from ListFamilies.");
            }
        }

        // And a final "sign out everywhere" gets every one that is left.
        await engine.RevokeSubjectAsync("racer", RevocationReason.CredentialsChanged);
        foreach (var (family, _) in issued)
        {
            await ExpectAsync(engine, family.Token, RotationOutcome.Revoked);
        }

        Assert.Empty(await engine.ListFamiliesAsync("racer"));
    }

    private static async ValueTask<RotationResult> RevokeAsResult(RefreshTokenEngine engine, FamilyId id)
    {
        await engine.RevokeFamilyAsync(id, RevocationReason.SignOut);
        return default;
    }

    /// <summary>Starts <paramref name="callers"/> calls as close together as the thread pool allows.</summary>
    protected static async Task<IReadOnlyList<RotationResult>> RaceAsync(int callers, Func<int, ValueTask<RotationResult>> call)
    {
        using var start = new ManualResetEventSlim();
        var ready = new CountdownEvent(callers);
        var results = new ConcurrentBag<RotationResult>();
        var tasks = Enumerable.Range(0, callers).Select(i => Task.Factory.StartNew(
            async () =>
            {
                ready.Signal();
                start.Wait();
                results.Add(await call(i));
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap()).ToArray();
        ready.Wait();
        start.Set();
        await Task.WhenAll(tasks);
        ready.Dispose();
        return results.ToArray();
    }
}
