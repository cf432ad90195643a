using RotationEngine.Storage;

namespace RotationEngine.Testing;

public abstract partial class FamilyStoreConformanceTests
{
    /// <summary>Inspect says what Rotate would, and changes nothing: no rotation, no replay count, no revocation, no event.</summary>
    [Fact]
    public async Task Inspect_answers_like_rotate_without_changing_anything()
    {
        var engine = CreateEngine();
        var issued = await IssueAsync(engine);

        var current = await engine.InspectAsync(issued.Token);
        Assert.Equal(RotationOutcome.Rotated, current.Outcome);
        Assert.Null(current.Token);
        Assert.Equal(0, (await Store.FindAsync(issued.FamilyId))!.Generation);

        var rotated = await ExpectAsync(engine, issued.Token, RotationOutcome.Rotated);
        var state = await StateOf(issued.FamilyId);
        var withinGrace = await engine.InspectAsync(issued.Token);
        Assert.Equal(RotationOutcome.GraceReplay, withinGrace.Outcome);
        Assert.Null(withinGrace.Token);
        Assert.Equal(state, await StateOf(issued.FamilyId));

        Time.Advance(TimeSpan.FromMinutes(1));
        var reuse = await engine.InspectAsync(issued.Token);
        Assert.Equal(RotationOutcome.ReuseDetected, reuse.Outcome);
        Assert.Equal(state, await StateOf(issued.FamilyId));
        Assert.Equal(RotationOutcome.Invalid, (await engine.InspectAsync("garbage")).Outcome);
        Assert.Empty(Events.Events);

        await ExpectAsync(engine, rotated.Token, RotationOutcome.Rotated);
    }

    /// <summary>Revoke by token (RFC 7009): authentic tokens (current or retired) revoke; anything else is a quiet no.</summary>
    [Fact]
    public async Task Revoke_by_token_revokes_only_for_authentic_tokens()
    {
        var engine = CreateEngine();
        var issued = await IssueAsync(engine);
        var rotated = await ExpectAsync(engine, issued.Token, RotationOutcome.Rotated);
        var before = await StateOf(issued.FamilyId);

        Assert.False(await engine.RevokeAsync(null));
        Assert.False(await engine.RevokeAsync("not a token"));
        Assert.False(await engine.RevokeAsync(TokenForgery.Random(issued.FamilyId, 1)));
        Assert.False(await engine.RevokeAsync(TokenForgery.Random(FamilyId.New(), 0)));
        Assert.False(await engine.RevokeAsync(TokenForgery.WithFlippedSecretBit(rotated.Token!, 7)));
        Assert.Equal(before, await StateOf(issued.FamilyId));

        Assert.True(await engine.RevokeAsync(issued.Token));
        Assert.False(await engine.RevokeAsync(rotated.Token));
        var family = (await Store.FindAsync(issued.FamilyId))!;
        Assert.Equal(FamilyStatus.Revoked, family.Status);
        Assert.Equal(RevocationReason.TokenRevocation, family.RevocationReason);
        await ExpectAsync(engine, rotated.Token, RotationOutcome.Revoked);
    }

    /// <summary>Revoking a subject revokes all of that user's families and nobody else's.</summary>
    [Fact]
    public async Task Revoke_subject_revokes_only_that_users_families()
    {
        var engine = CreateEngine();
        var alice1 = await engine.IssueAsync("alice", "web");
        var alice2 = await engine.IssueAsync("alice", "mobile");
        var bob = await engine.IssueAsync("bob", "web");

        Assert.Equal(2, await engine.RevokeSubjectAsync("alice", RevocationReason.CredentialsChanged));
        Assert.Equal(0, await engine.RevokeSubjectAsync("alice", RevocationReason.CredentialsChanged));
        Assert.Equal(0, await engine.RevokeSubjectAsync("nobody", RevocationReason.SignOut));

        var revoked = await ExpectAsync(engine, alice1.Token, RotationOutcome.Revoked);
        Assert.Equal(RevocationReason.CredentialsChanged, revoked.RevocationReason);
        await ExpectAsync(engine, alice2.Token, RotationOutcome.Revoked, client: "mobile");
        await ExpectAsync(engine, bob.Token, RotationOutcome.Rotated);
        Assert.Empty(await engine.ListFamiliesAsync("alice"));
    }

    /// <summary>The active-sessions list holds live families only.</summary>
    [Fact]
    public async Task List_families_shows_live_sessions_only()
    {
        var engine = CreateEngine(configure: o => o.ClientPolicies["short"] = Policy with { TokenLifetime = TimeSpan.FromMinutes(10) });
        var web = await engine.IssueAsync("alice", "web", metadata: "laptop");
        var revoked = await engine.IssueAsync("alice", "web");
        var shortLived = await engine.IssueAsync("alice", "short");
        await engine.IssueAsync("bob", "web");
        await engine.RevokeFamilyAsync(revoked.FamilyId, RevocationReason.SignOut);
        Time.Advance(TimeSpan.FromMinutes(5));
        await ExpectAsync(engine, web.Token, RotationOutcome.Rotated);

        var live = await engine.ListFamiliesAsync("alice");
        Assert.Equal(
            new[] { web.FamilyId, shortLived.FamilyId }.OrderBy(id => id.Value),
            live.Select(f => f.Id).OrderBy(id => id.Value));
        var info = Assert.Single(live, f => f.Id == web.FamilyId);
        Assert.Equal(1, info.Generation);
        Assert.Equal("laptop", info.Metadata);
        Assert.Equal(Time.GetUtcNow(), info.LastRotatedAt);
        Assert.Equal(Time.GetUtcNow() - TimeSpan.FromMinutes(5), info.CreatedAt);

        Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal([web.FamilyId], (await engine.ListFamiliesAsync("alice")).Select(f => f.Id).ToArray());
    }

    /// <summary>Prune deletes families revoked or expired longer ago than the retention, in batches, and nothing else.</summary>
    [Fact]
    public async Task Prune_deletes_only_families_beyond_retention()
    {
        var engine = CreateEngine(configure: o =>
        {
            o.Retention = TimeSpan.FromDays(1);
            o.PruneBatchSize = 2;
        });
        var families = new List<IssueResult>();
        for (var i = 0; i < 5; i++)
        {
            families.Add(await engine.IssueAsync($"user{i}", "web"));
        }

        for (var i = 0; i < 3; i++)
        {
            await engine.RevokeFamilyAsync(families[i].FamilyId, RevocationReason.SignOut);
        }

        Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, await engine.PruneAsync());

        Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(3, await engine.PruneAsync());
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(i >= 3, await Store.FindAsync(families[i].FamilyId) is not null);
        }

        await ExpectAsync(engine, families[0].Token, RotationOutcome.Invalid);

        // The live ones reach their idle expiry, then the retention passes.
        Time.Advance(Policy.TokenLifetime);
        Assert.Equal(2, await engine.PruneAsync());
        Assert.Equal(0, await engine.PruneAsync());
    }

    /// <summary>A live family is never pruned, whatever its age within its lifetimes.</summary>
    [Fact]
    public async Task Prune_keeps_live_families()
    {
        var engine = CreateEngine(configure: o => o.Retention = TimeSpan.Zero);
        var issued = await IssueAsync(engine);
        Time.Advance(Policy.TokenLifetime - TimeSpan.FromMilliseconds(1));

        Assert.Equal(0, await engine.PruneAsync());
        await ExpectAsync(engine, issued.Token, RotationOutcome.Rotated);
    }

    /// <summary>Text with SQL metacharacters, quotes and non-ASCII is stored and found verbatim.</summary>
    [Fact]
    public async Task Hostile_text_round_trips_verbatim()
    {
        const string subject = "o'brien\"; DROP TABLE families; -- ' OR 1=1 --";
        const string client = "client-\u00e9\u6f22\u5b57-\U0001F511";
        const string binding = "jkt'); DELETE FROM families; --";
        const string metadata = "{\"scope\":\"a b\",\"x\":\"%_\\\\\"}";
        var engine = CreateEngine();

        var issued = await engine.IssueAsync(subject, client, binding, metadata);
        var rotated = await ExpectAsync(engine, issued.Token, RotationOutcome.Rotated, binding, client);

        Assert.Equal(subject, rotated.Subject);
        Assert.Equal(client, rotated.ClientId);
        Assert.Equal(metadata, rotated.Metadata);
        var listed = Assert.Single(await engine.ListFamiliesAsync(subject));
        Assert.Equal(binding, listed.Binding);
        Assert.Equal(metadata, listed.Metadata);
        Assert.Equal(client, (await engine.GetFamilyAsync(issued.FamilyId))!.ClientId);
        Assert.Empty(await engine.ListFamiliesAsync("o'brien"));
        Assert.Equal(1, await engine.RevokeSubjectAsync(subject, RevocationReason.SignOut));
    }

    /// <summary>Caller bugs are argument errors and create nothing.</summary>
    [Fact]
    public async Task Bad_issue_arguments_are_argument_errors()
    {
        var engine = CreateEngine();
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await engine.IssueAsync(null!, "web"));
        await Assert.ThrowsAsync<ArgumentException>(async () => await engine.IssueAsync("", "web"));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await engine.IssueAsync("alice", null!));
        await Assert.ThrowsAsync<ArgumentException>(async () => await engine.IssueAsync(new string('a', RefreshTokenEngine.MaxSubjectLength + 1), "web"));
        await Assert.ThrowsAsync<ArgumentException>(async () => await engine.IssueAsync("alice", new string('c', RefreshTokenEngine.MaxClientIdLength + 1)));
        await Assert.ThrowsAsync<ArgumentException>(async () => await engine.IssueAsync("alice", "web", binding: ""));
        await Assert.ThrowsAsync<ArgumentException>(async () => await engine.IssueAsync("alice", "web", metadata: new string('m', RefreshTokenEngine.MaxMetadataLength + 1)));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await engine.RevokeSubjectAsync(null!, RevocationReason.SignOut));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await engine.RevokeSubjectAsync("alice", (RevocationReason)99));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await engine.ListFamiliesAsync(null!));

        // Ill-formed UTF-16 and NUL: SQLite and Redis would turn a lone surrogate into U+FFFD, so that
        // "user\uDFFF" and "user\uDBFF" became one subject; PostgreSQL cannot keep NUL.
        foreach (var bad in new[] { "user\uDFFF", "user\uD800", "\uDC00x", "a\0b" })
        {
            await Assert.ThrowsAsync<ArgumentException>(async () => await engine.IssueAsync(bad, "web"));
            await Assert.ThrowsAsync<ArgumentException>(async () => await engine.IssueAsync("alice", bad));
            await Assert.ThrowsAsync<ArgumentException>(async () => await engine.IssueAsync("alice", "web", binding: bad));
            await Assert.ThrowsAsync<ArgumentException>(async () => await engine.IssueAsync("alice", "web", metadata: bad));
            await Assert.ThrowsAsync<ArgumentException>(async () => await engine.RevokeSubjectAsync(bad, RevocationReason.SignOut));
            await Assert.ThrowsAsync<ArgumentException>(async () => await engine.ListFamiliesAsync(bad));
        }

        Assert.Empty(await engine.ListFamiliesAsync("alice"));
        Assert.Empty(await engine.ListFamiliesAsync("user\uFFFD"));
    }
}
