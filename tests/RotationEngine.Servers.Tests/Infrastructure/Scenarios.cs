using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using RotationEngine.Storage;
using RotationEngine.Testing;

namespace RotationEngine.Servers.Tests.Infrastructure;

/// <summary>A clock that reads another clock plus a fixed offset: one engine host whose clock is skewed.</summary>
internal sealed class OffsetTimeProvider(TimeProvider inner, TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + offset;
}

/// <summary>Scenarios that every server store must pass, written once and run against each.</summary>
internal static class Scenarios
{
    private static readonly RotationPolicy GracePolicy = new()
    {
        TokenLifetime = TimeSpan.FromHours(1),
        FamilyLifetime = TimeSpan.FromDays(1),
        GraceWindow = TimeSpan.FromSeconds(5),
        GraceDepth = 1,
        MaxGenerations = 100_000,
    };

    /// <summary>
    /// Three engine instances whose clocks are skewed by up to 650 ms share one store. In rounds, all three
    /// present each family's current token at once: exactly one rotates and the others replay the identical
    /// token (invariants 1, 4, 9). A token two generations old is reuse for any engine; after revocation (of a
    /// family, then of the subject) no engine gets Rotated or GraceReplay from any token (invariant 2).
    /// </summary>
    public static async Task SeveralEnginesShareOneStoreAsync(IFamilyStore store)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var engines = new[] { TimeSpan.Zero, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(-400) }
            .Select(offset => new RefreshTokenEngine(
                store,
                new RotationEngineOptions { DefaultPolicy = GracePolicy },
                TestKeys.Ring,
                new OffsetTimeProvider(clock, offset)))
            .ToArray();
        var subject = "multi-" + Guid.NewGuid().ToString("N");
        const int familyCount = 8;
        const int rounds = 6;

        var families = new List<List<string>>();
        for (var i = 0; i < familyCount; i++)
        {
            var issued = await engines[i % engines.Length].IssueAsync(subject, "web");
            families.Add([issued.Token]);
        }

        for (var round = 1; round <= rounds; round++)
        {
            await Task.WhenAll(families.Select(async lineage =>
            {
                var current = lineage[^1];
                var results = await Task.WhenAll(engines.Concat(engines).Select(engine => Task.Run(async () => await engine.RotateAsync(current, "web"))));
                var rotated = Assert.Single(results, r => r.Outcome == RotationOutcome.Rotated);
                Assert.Equal(round, rotated.Generation);
                Assert.All(results, r =>
                {
                    Assert.True(r.Outcome is RotationOutcome.Rotated or RotationOutcome.GraceReplay, $"Unexpected {r}.");
                    Assert.Equal(rotated.Token, r.Token);
                });
                lineage.Add(rotated.Token!);
            }));
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        foreach (var lineage in families)
        {
            var family = await store.FindAsync(TokenForgery.FamilyOf(lineage[0]));
            Assert.Equal(rounds, family!.Generation);
            Assert.Equal(FamilyStatus.Active, family.Status);
        }

        // Reuse: two generations behind is outside grace depth 1, whichever engine sees it.
        clock.Advance(TimeSpan.FromSeconds(10));
        var reused = families[0];
        Assert.Equal(RotationOutcome.ReuseDetected, (await engines[2].RotateAsync(reused[^3], "web")).Outcome);
        foreach (var engine in engines)
        {
            foreach (var token in reused)
            {
                var outcome = (await engine.RotateAsync(token, "web")).Outcome;
                Assert.True(outcome == RotationOutcome.Revoked, $"Expected Revoked after reuse but got {outcome}.");
            }
        }

        // Revoking the subject on one engine is final for all of them.
        Assert.Equal(familyCount - 1, await engines[1].RevokeSubjectAsync(subject, RevocationReason.SignOut));
        foreach (var lineage in families)
        {
            foreach (var engine in engines)
            {
                var outcome = (await engine.RotateAsync(lineage[^1], "web")).Outcome;
                Assert.True(outcome == RotationOutcome.Revoked, $"Expected Revoked after sign-out but got {outcome}.");
            }
        }

        Assert.Empty(await engines[0].ListFamiliesAsync(subject));
    }

    /// <summary>
    /// Clients rotate their families as fast as they can while <paramref name="restart"/> restarts the server.
    /// A call that fails must fail with <see cref="RotationStoreException"/> (outcome unknown); the client then
    /// retries with the same token and must get Rotated (the write was lost) or GraceReplay with the current
    /// token (the write happened). Nothing else is allowed. Afterwards every family exists, is active, sits at
    /// the generation of its client's token and keeps rotating: none forked, none lost.
    /// </summary>
    public static async Task<RestartReport> RotationSurvivesServerRestartAsync(IFamilyStore store, Func<Task> restart, int clients = 12)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions { DefaultPolicy = GracePolicy with { GraceWindow = TimeSpan.FromMinutes(5) } }, TestKeys.Ring, clock);
        var tokens = new string[clients];
        for (var i = 0; i < clients; i++)
        {
            tokens[i] = (await engine.IssueAsync("restart-" + Guid.NewGuid().ToString("N"), "web")).Token;
        }

        var wrong = new ConcurrentQueue<string>();
        var faults = 0;
        var rotations = 0;
        var replays = 0;
        var afterRestart = 0;
        var restarted = false;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        async Task ClientAsync(int index)
        {
            var rotatedFrom = new HashSet<int>();
            var unknown = false;
            var mine = 0;
            while (!Volatile.Read(ref restarted) || mine < 20)
            {
                if (deadline.IsCancellationRequested)
                {
                    wrong.Enqueue($"client {index} did not finish in time");
                    return;
                }

                RotationResult result;
                try
                {
                    result = await engine.RotateAsync(tokens[index], "web");
                }
                catch (RotationStoreException)
                {
                    Interlocked.Increment(ref faults);
                    unknown = true;
                    await Task.Delay(25);
                    continue;
                }

                switch (result.Outcome)
                {
                    case RotationOutcome.Rotated when rotatedFrom.Add(result.Generation - 1):
                        Interlocked.Increment(ref rotations);
                        break;
                    case RotationOutcome.GraceReplay when unknown:
                        Interlocked.Increment(ref replays);
                        break;
                    default:
                        wrong.Enqueue($"client {index}: {result} (after an unknown outcome: {unknown})");
                        return;
                }

                tokens[index] = result.Token!;
                unknown = false;
                if (Volatile.Read(ref restarted))
                {
                    mine++;
                    Interlocked.Increment(ref afterRestart);
                }
            }
        }

        var running = Enumerable.Range(0, clients).Select(i => Task.Run(() => ClientAsync(i))).ToArray();
        while (Volatile.Read(ref rotations) < 100 && !running.All(t => t.IsCompleted))
        {
            await Task.Delay(10);
        }

        await restart();
        Volatile.Write(ref restarted, true);
        await Task.WhenAll(running);

        Assert.True(wrong.IsEmpty, string.Join(Environment.NewLine, wrong));
        for (var i = 0; i < clients; i++)
        {
            var family = await store.FindAsync(TokenForgery.FamilyOf(tokens[i]));
            Assert.NotNull(family);
            Assert.Equal(FamilyStatus.Active, family.Status);
            Assert.Equal(TokenForgery.GenerationOf(tokens[i]), family.Generation);
            Assert.Equal(RotationOutcome.Rotated, (await engine.RotateAsync(tokens[i], "web")).Outcome);
        }

        return new RestartReport(rotations, faults, replays, afterRestart);
    }

    /// <summary>
    /// "Sign out everywhere" as reported (issue 9): one user signs in <paramref name="signIns"/> times, 32 at once,
    /// while two loops show the user's sessions page (ListFamilies) without pause; then the password changes
    /// (RevokeSubject, CredentialsChanged). Every family must then be revoked and every token refused as Revoked: a
    /// family that Create had returned for is never missed (docs/semantics.md §4, invariant 9).
    /// </summary>
    public static async Task<SignOutReport> SignOutEverywhereAfterRacingSignInsAsync(IFamilyStore store, int signIns = 3_000)
    {
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions { DefaultPolicy = GracePolicy }, TestKeys.Ring, TimeProvider.System);
        var subject = "race-" + Guid.NewGuid().ToString("N");
        using var stop = new CancellationTokenSource();
        var listCalls = 0;
        var listing = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await engine.ListFamiliesAsync(subject);
                Interlocked.Increment(ref listCalls);
            }
        })).ToArray();

        var issued = new ConcurrentBag<IssueResult>();
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, signIns),
                new ParallelOptions { MaxDegreeOfParallelism = 32 },
                async (_, cancellationToken) => issued.Add(await engine.IssueAsync(subject, "web", cancellationToken: cancellationToken)));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(listing);
        }

        var revoked = await engine.RevokeSubjectAsync(subject, RevocationReason.CredentialsChanged);
        var orphans = new List<FamilyId>();
        foreach (var family in issued)
        {
            var stored = await store.FindAsync(family.FamilyId);
            if (stored is not { Status: FamilyStatus.Revoked, RevocationReason: RevocationReason.CredentialsChanged })
            {
                orphans.Add(family.FamilyId);
            }
        }

        // A missed family keeps rotating: try every missed one and a sample of the others; none may rotate.
        var notRevokedAfterSignOut = 0;
        foreach (var family in issued.Where(f => orphans.Contains(f.FamilyId)).Union(issued.Take(200)))
        {
            if ((await engine.RotateAsync(family.Token, "web")).Outcome != RotationOutcome.Revoked)
            {
                notRevokedAfterSignOut++;
            }
        }

        return new SignOutReport(issued.Count, listCalls, revoked, orphans.Count, notRevokedAfterSignOut, await engine.ListFamiliesAsync(subject));
    }
}

/// <summary>What a sign-out-everywhere run saw: sign-ins, ListFamilies calls made during them, families RevokeSubject
/// revoked, families it missed (orphans), tokens of a sample that did not answer Revoked, and what is still listed.</summary>
internal sealed record SignOutReport(int SignIns, int ListCalls, int Revoked, int Orphans, int NotRevokedAfterSignOut, IReadOnlyList<FamilyInfo> StillListed)
{
    public override string ToString() =>
        $"sign-ins {SignIns}, ListFamilies calls during them {ListCalls}, RevokeSubject revoked {Revoked}, orphans {Orphans}, tokens not refused as Revoked {NotRevokedAfterSignOut}, still listed {StillListed.Count}";

    public void AssertNoneMissed()
    {
        Assert.True(ListCalls > 0, $"No ListFamilies call overlapped the sign-ins, so the run proved nothing: {this}");
        Assert.Equal(0, Orphans);
        Assert.Equal(SignIns, Revoked);
        Assert.Equal(0, NotRevokedAfterSignOut);
        Assert.Empty(StillListed);
    }
}

/// <summary>What a restart run saw: successful rotations, store faults, grace replays that answered a retry
/// after an unknown outcome, and rotations after the restart.</summary>
internal sealed record RestartReport(int Rotations, int Faults, int RetriesAnsweredByGrace, int RotationsAfterRestart);
