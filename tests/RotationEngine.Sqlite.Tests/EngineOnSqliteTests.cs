using RotationEngine.Storage;

namespace RotationEngine.Sqlite.Tests;

/// <summary>The engine on a SQLite file, with the file edited behind its back where that is the point.</summary>
public sealed class EngineOnSqliteTests
{
    private static readonly byte[] Erased = new byte[FamilyColumns.DigestSize];

    [Fact]
    public async Task Revocation_erases_the_digest_in_the_row()
    {
        using var database = new TestDatabase();
        using var store = database.OpenStore();
        var time = Fixtures.Clock();
        var engine = Fixtures.Engine(store, time);
        var byToken = await engine.IssueAsync("alice", Fixtures.Client);
        var byFamily = await engine.IssueAsync("alice", Fixtures.Client);
        var bySubject = await engine.IssueAsync("bob", Fixtures.Client);
        var untouched = await engine.IssueAsync("carol", Fixtures.Client);

        Assert.True(await engine.RevokeAsync(byToken.Token, Fixtures.Client));
        Assert.True(await engine.RevokeFamilyAsync(byFamily.FamilyId, RevocationReason.SignOut));
        Assert.Equal(1, await engine.RevokeSubjectAsync("bob", RevocationReason.Administrative));

        foreach (var revoked in new[] { byToken, byFamily, bySubject })
        {
            var row = (byte[])database.Scalar("SELECT digest FROM families WHERE id = @id", ("@id", revoked.FamilyId.Value.ToByteArray()))!;
            Assert.Equal(Erased, row);
            Assert.Equal(FamilyStatus.Revoked, (await store.FindAsync(revoked.FamilyId))!.Status);
        }

        var live = (byte[])database.Scalar("SELECT digest FROM families WHERE id = @id", ("@id", untouched.FamilyId.Value.ToByteArray()))!;
        Assert.Equal(FamilyColumns.DigestSize, live.Length);
        Assert.NotEqual(Erased, live);

        // Flipping the status back in the file revives nothing: the erased digest matches no token.
        database.Execute("UPDATE families SET status = 0, revoked_at = NULL, revocation_reason = NULL");
        var result = await engine.RotateAsync(byToken.Token, Fixtures.Client);
        Assert.NotEqual(RotationOutcome.Rotated, result.Outcome);
        Assert.Null(result.Token);
    }

    [Fact]
    public async Task An_expired_token_is_refused_even_when_the_row_says_it_expires_in_the_far_future()
    {
        using var database = new TestDatabase();
        using var store = database.OpenStore();
        var time = Fixtures.Clock();
        var policy = RotationPolicy.Default with { TokenLifetime = TimeSpan.FromHours(1) };
        var engine = Fixtures.Engine(store, time, policy);
        var issued = await engine.IssueAsync("alice", Fixtures.Client);

        // token_expires_at is not sealed (it slides with each rotation); the presented token's issue time is.
        database.Execute("UPDATE families SET token_expires_at = @far", ("@far", FamilyColumns.Milliseconds(Fixtures.Start.AddYears(50))));
        time.Advance(TimeSpan.FromHours(1));

        var result = await engine.RotateAsync(issued.Token, Fixtures.Client);
        Assert.Equal(RotationOutcome.Expired, result.Outcome);
        Assert.Null(result.Token);
        Assert.Equal(0L, database.Scalar("SELECT generation FROM families"));
    }

    [Fact]
    public async Task A_record_moved_to_another_subject_in_the_file_answers_Invalid_Tampered()
    {
        using var database = new TestDatabase();
        using var store = database.OpenStore();
        var time = Fixtures.Clock();
        var engine = Fixtures.Engine(store, time);
        var issued = await engine.IssueAsync("alice", Fixtures.Client);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, database.Execute("UPDATE families SET subject = 'mallory'"));

        var result = await engine.RotateAsync(issued.Token, Fixtures.Client);
        Assert.Equal(RotationOutcome.Invalid, result.Outcome);
        Assert.Equal(OutcomeCause.Tampered, result.Cause);
        Assert.Null(result.Token);
        Assert.Equal(RotationOutcome.Invalid, (await engine.InspectAsync(issued.Token, Fixtures.Client)).Outcome);
        Assert.Null(await engine.GetFamilyAsync(issued.FamilyId));
        Assert.Empty(await engine.ListFamiliesAsync("mallory"));
        Assert.Equal("mallory", database.Scalar("SELECT subject FROM families"));

        // Not asserted: the engine's optimistic rotation (one conditional write, the seal checked on the row it returns)
        // advances the tampered row's generation before refusing; docs/semantics.md §3 says "nothing changes". A core
        // question, reported to the lead.
    }

    [Fact]
    public async Task Families_listed_for_a_subject_are_in_creation_then_id_order_as_in_memory()
    {
        // Ids are stored as Microsoft.Data.Sqlite stores a Guid (little-endian first fields), so SQLite's byte order is
        // not Guid order: the store sorts what it reads as the in-memory store does.
        using var database = new TestDatabase();
        using var store = database.OpenStore();
        var memory = new InMemoryFamilyStore();
        for (var i = 0; i < 40; i++)
        {
            var family = Fixtures.Family(Fixtures.Start.AddMilliseconds(i % 3));
            await store.CreateAsync(family);
            await memory.CreateAsync(family);
        }

        var expected = (await memory.ListActiveAsync("alice", Fixtures.Start)).Select(f => f.Id);
        Assert.Equal(expected, (await store.ListActiveAsync("alice", Fixtures.Start)).Select(f => f.Id));
    }

    [Fact]
    public async Task The_id_is_stored_as_the_blob_of_its_guid_and_a_text_id_is_refused()
    {
        using var database = new TestDatabase();
        using var store = database.OpenStore();
        var family = Fixtures.Family(Fixtures.Start);
        await store.CreateAsync(family);
        Assert.Equal(family.Id.Value.ToByteArray(), (byte[])database.Scalar("SELECT id FROM families")!);

        // Microsoft.Data.Sqlite binds an untyped Guid parameter as TEXT; the store types its id parameters as BLOB,
        // and the STRICT table refuses a writer that does not.
        Assert.Throws<Microsoft.Data.Sqlite.SqliteException>(() => database.Execute(
            "INSERT INTO families SELECT @id, subject, client_id, binding, key_id, metadata, created_at, family_expires_at, token_expires_at, generation, digest, ledger, status, revoked_at, revocation_reason, token_lifetime_ms, grace_window_ms, grace_depth, grace_max_replays, binding_mismatch_revokes, max_generations, seal FROM families",
            ("@id", Guid.NewGuid())));
    }
}
