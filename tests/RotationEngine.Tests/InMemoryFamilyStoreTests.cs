using RotationEngine.Storage;

namespace RotationEngine.Tests;

/// <summary>The in-memory store's own edges, beyond the conformance suite: argument errors, a duplicate id, the exact
/// expiry boundaries and order of a listing, and the subject index after pruning.</summary>
public sealed class InMemoryFamilyStoreTests
{
    [Fact]
    public async Task Creating_null_is_an_argument_error()
    {
        var error = await Assert.ThrowsAsync<ArgumentNullException>(async () => await new InMemoryFamilyStore().CreateAsync(null!));
        Assert.Equal("family", error.ParamName);
    }

    [Fact]
    public async Task A_second_family_with_the_same_id_is_refused_and_the_first_kept()
    {
        var store = new InMemoryFamilyStore();
        var first = TestRecords.New("alice");
        await store.CreateAsync(first);

        var error = await Assert.ThrowsAsync<RotationStoreException>(async () => await store.CreateAsync(TestRecords.New("bob", first.Id)));

        Assert.Equal($"Family {first.Id} already exists.", error.Message);
        Assert.Equal(1, store.Count);
        Assert.Same(first, await store.FindAsync(first.Id));
        Assert.Empty(await store.ListActiveAsync("bob", TestRecords.Epoch));
    }

    [Fact]
    public async Task A_family_is_listed_until_the_instant_either_expiry_is_reached()
    {
        var now = TestRecords.Epoch + TimeSpan.FromMinutes(30);
        var store = new InMemoryFamilyStore();
        var familyEndsNow = TestRecords.New() with { FamilyExpiresAt = now };
        var familyEndsNext = TestRecords.New() with { FamilyExpiresAt = now + TimeSpan.FromTicks(1) };
        var tokenEndsNow = TestRecords.New() with { TokenExpiresAt = now };
        var tokenEndsNext = TestRecords.New() with { TokenExpiresAt = now + TimeSpan.FromTicks(1) };
        foreach (var family in new[] { familyEndsNow, familyEndsNext, tokenEndsNow, tokenEndsNext })
        {
            await store.CreateAsync(family);
        }

        var listed = (await store.ListActiveAsync("alice", now)).Select(f => f.Id).ToHashSet();

        Assert.Equal(new HashSet<FamilyId> { familyEndsNext.Id, tokenEndsNext.Id }, listed);
    }

    [Fact]
    public async Task A_listing_is_ordered_by_creation_time_then_id()
    {
        // Created out of order, three of them at the same instant; the ids differ in their last byte only, so that every
        // reasonable id order agrees (Guid, bytes, text).
        var store = new InMemoryFamilyStore();
        var created = new (byte Id, int Minute)[] { (1, 3), (9, 1), (5, 2), (2, 2), (7, 2), (8, 0), (4, 2), (3, 2), (6, 4) };
        foreach (var (id, minute) in created)
        {
            await store.CreateAsync(TestRecords.New(id: TestRecords.Id(id)) with { CreatedAt = TestRecords.Epoch + TimeSpan.FromMinutes(minute) });
        }

        var listed = await store.ListActiveAsync("alice", TestRecords.Epoch + TimeSpan.FromMinutes(10));

        Assert.Equal(new[] { 8, 9, 2, 3, 4, 5, 7, 1, 6 }.Select(i => TestRecords.Id((byte)i)), listed.Select(f => f.Id));
    }

    [Fact]
    public async Task A_pruned_family_leaves_its_subjects_index()
    {
        // A later family under the same id (ids are random, but the store must not rely on it) belongs to its own
        // subject only: the pruned one's subject neither lists nor revokes it.
        var store = new InMemoryFamilyStore();
        var pruned = TestRecords.New("alice");
        await store.CreateAsync(pruned);
        Assert.Equal(1, await store.PruneAsync(pruned.TokenExpiresAt + TimeSpan.FromTicks(1), 10));

        var successor = TestRecords.New("bob", pruned.Id);
        await store.CreateAsync(successor);

        Assert.Empty(await store.ListActiveAsync("alice", TestRecords.Epoch));
        Assert.Equal(0, await store.RevokeSubjectAsync("alice", RevocationReason.SignOut, TestRecords.Epoch));
        Assert.Equal(FamilyStatus.Active, (await store.FindAsync(successor.Id))!.Status);
        Assert.Equal([successor.Id], (await store.ListActiveAsync("bob", TestRecords.Epoch)).Select(f => f.Id));
    }
}
