using RotationEngine.Storage;

namespace RotationEngine.Sqlite.Tests;

public sealed class PruneTests
{
    [Fact]
    public async Task Prune_deletes_in_batches_only_expired_and_revoked_families()
    {
        using var database = new TestDatabase();
        using var store = database.OpenStore();
        var now = Fixtures.Start;
        var policy = RotationPolicy.Default with { TokenLifetime = TimeSpan.FromHours(1), FamilyLifetime = TimeSpan.FromDays(2) };
        var live = new List<FamilyId>();
        for (var i = 0; i < 5; i++)
        {
            var family = Fixtures.Family(now, policy: policy);
            await store.CreateAsync(family);
            live.Add(family.Id);
        }

        // 10 idle-expired, 10 past their absolute expiry, 5 revoked long ago: 25 prunable.
        for (var i = 0; i < 10; i++)
        {
            await store.CreateAsync(Fixtures.Family(now.AddHours(-3), policy: policy));
            var old = Fixtures.Family(now.AddDays(-3), policy: policy) with { TokenExpiresAt = now.AddHours(1) };
            await store.CreateAsync(old);
        }

        for (var i = 0; i < 5; i++)
        {
            var revoked = Fixtures.Family(now, policy: policy);
            await store.CreateAsync(revoked);
            Assert.True(await store.TryRevokeAsync(revoked.Id, RevocationReason.SignOut, now.AddHours(-2)));
        }

        // A family revoked after the cutoff stays.
        var recentlyRevoked = Fixtures.Family(now, policy: policy);
        await store.CreateAsync(recentlyRevoked);
        await store.TryRevokeAsync(recentlyRevoked.Id, RevocationReason.SignOut, now);
        live.Add(recentlyRevoked.Id);

        var cutoff = now.AddMinutes(-1);
        Assert.Equal(10, await store.PruneAsync(cutoff, 10));
        Assert.Equal(10, await store.PruneAsync(cutoff, 10));
        Assert.Equal(5, await store.PruneAsync(cutoff, 10));
        Assert.Equal(0, await store.PruneAsync(cutoff, 10));
        Assert.Equal((long)live.Count, database.Scalar("SELECT count(*) FROM families"));
        foreach (var id in live)
        {
            Assert.NotNull(await store.FindAsync(id));
        }
    }

    [Fact]
    public async Task Prune_deletes_exactly_the_families_whose_PrunableAt_is_before_the_cutoff()
    {
        using var database = new TestDatabase();
        using var store = database.OpenStore();
        var random = new Random(20261201);
        var families = Enumerable.Range(0, 300).Select(_ => RotationStatementTests.RandomFamily(random)).ToList();
        foreach (var family in families)
        {
            await store.CreateAsync(family);
        }

        var cutoff = Fixtures.Start.AddMilliseconds(500_000);
        var expected = families.Where(f => f.PrunableAt >= cutoff).Select(f => f.Id).ToHashSet();
        Assert.InRange(expected.Count, 30, 270);

        var deleted = 0;
        int batch;
        while ((batch = await store.PruneAsync(cutoff, 25)) > 0)
        {
            Assert.True(batch <= 25);
            deleted += batch;
        }

        Assert.Equal(families.Count - expected.Count, deleted);
        foreach (var family in families)
        {
            Assert.Equal(expected.Contains(family.Id), await store.FindAsync(family.Id) is not null);
        }
    }
}
