using Microsoft.Extensions.Time.Testing;
using RotationEngine.Storage;
using RotationEngine.Testing;

namespace RotationEngine.Servers.Tests.Infrastructure;

/// <summary>A store's records as its own client sees them, bypassing the store: raw SQL or raw Redis commands.</summary>
internal interface IRawRecords
{
    /// <summary>Sets one column (hash field) of a family to <paramref name="value"/> (a string or a long).</summary>
    Task SetAsync(FamilyId id, string column, object value);

    /// <summary>The stored digest of a family.</summary>
    Task<byte[]> DigestAsync(FamilyId id);
}

/// <summary>Store checks of contract version 2 that need raw access to the records, written once for every server store.</summary>
internal static class RecordScenarios
{
    private static readonly RotationPolicy Policy = new()
    {
        TokenLifetime = TimeSpan.FromHours(1),
        FamilyLifetime = TimeSpan.FromDays(2),
        GraceWindow = TimeSpan.FromSeconds(10),
        BindingMismatchRevokes = false,
    };

    private static readonly byte[] Erased = new byte[FamilyColumns.DigestSize];

    /// <summary>Every way to revoke (by token, by family, by subject, by reuse) erases the digest to 16 zero bytes, so
    /// that flipping the status back in the store revives no token.</summary>
    public static async Task RevocationErasesTheDigestAsync(IFamilyStore store, IRawRecords raw)
    {
        var (engine, clock) = Engine(store);
        var subject = "erase-" + Guid.NewGuid().ToString("N");
        var byToken = await engine.IssueAsync(subject, "web");
        var byFamily = await engine.IssueAsync(subject, "web");
        var bySubject = await engine.IssueAsync(subject, "web");
        var byReuse = await engine.IssueAsync("other-" + subject, "web");
        var live = await engine.IssueAsync("other-" + subject, "web");

        foreach (var issued in new[] { byToken, byFamily, bySubject, byReuse, live })
        {
            var digest = await raw.DigestAsync(issued.FamilyId);
            Assert.Equal(FamilyColumns.DigestSize, digest.Length);
            Assert.NotEqual(Erased, digest);
        }

        Assert.True(await engine.RevokeAsync(byToken.Token, "web", RevocationReason.TokenRevocation));
        Assert.True(await engine.RevokeFamilyAsync(byFamily.FamilyId, RevocationReason.SignOut));
        Assert.Equal(1, await engine.RevokeSubjectAsync(subject, RevocationReason.CredentialsChanged));
        var next = await engine.RotateAsync(byReuse.Token, "web");
        Assert.Equal(RotationOutcome.Rotated, next.Outcome);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(RotationOutcome.ReuseDetected, (await engine.RotateAsync(byReuse.Token, "web")).Outcome);

        foreach (var issued in new[] { byToken, byFamily, bySubject, byReuse })
        {
            Assert.Equal(Erased, await raw.DigestAsync(issued.FamilyId));
            var family = await store.FindAsync(issued.FamilyId);
            Assert.Equal(FamilyStatus.Revoked, family!.Status);
            Assert.Equal(Erased, family.Digest);
        }

        Assert.NotEqual(Erased, await raw.DigestAsync(live.FamilyId));

        // Flipping the status back revives nothing: the erased digest matches no token.
        await raw.SetAsync(byFamily.FamilyId, FamilyColumns.Status, 0L);
        var revived = await engine.RotateAsync(byFamily.Token, "web");
        Assert.NotEqual(RotationOutcome.Rotated, revived.Outcome);
        Assert.Null(revived.Token);
    }

    /// <summary>The rotation's idle-expiry condition is the presented token's authenticated issue time plus the token
    /// lifetime, not the row's token expiry: a row edited to expire in the far future lets no expired token rotate, in
    /// the store's single statement as through the engine.</summary>
    public static async Task RotationUsesThePresentedIssueTimeAsync(IFamilyStore store, IRawRecords raw)
    {
        var (engine, clock) = Engine(store);
        var farFuture = FamilyColumns.Milliseconds(clock.GetUtcNow().AddYears(50));
        var atIssue = await engine.IssueAsync("idle-" + Guid.NewGuid().ToString("N"), "web");
        var rotatedOnce = await engine.IssueAsync("idle-" + Guid.NewGuid().ToString("N"), "web");
        clock.Advance(TimeSpan.FromMinutes(20));
        var second = await engine.RotateAsync(rotatedOnce.Token, "web");
        Assert.Equal(RotationOutcome.Rotated, second.Outcome);
        await raw.SetAsync(atIssue.FamilyId, FamilyColumns.TokenExpiresAt, farFuture);
        await raw.SetAsync(rotatedOnce.FamilyId, FamilyColumns.TokenExpiresAt, farFuture);

        // An hour after issue the generation-0 token is at its idle expiry (exclusive): expired, though the row says otherwise.
        clock.Advance(TimeSpan.FromMinutes(40));
        var direct = await store.TryRotateAsync(new RotationCommand(
            atIssue.FamilyId,
            0,
            (await store.FindAsync(atIssue.FamilyId))!.Digest,
            new byte[FamilyColumns.DigestSize],
            TestKeys.Primary.Id,
            "web",
            null,
            clock.GetUtcNow() - TimeSpan.FromHours(1),
            clock.GetUtcNow(),
            GraceLedger.NewSlot(clock.GetUtcNow(), new byte[FamilyColumns.DigestSize])));
        Assert.Null(direct);
        var expired = await engine.RotateAsync(atIssue.Token, "web");
        Assert.Equal(RotationOutcome.Expired, expired.Outcome);
        Assert.Equal(OutcomeCause.TokenExpired, expired.Cause);
        Assert.Equal(0, (await store.FindAsync(atIssue.FamilyId))!.Generation);

        // The generation-1 token was issued 40 minutes ago: still 20 minutes to go, so it rotates; 20 minutes after
        // the rotation the new token is alive and the old one is not, whatever the row says.
        Assert.Equal(RotationOutcome.Rotated, (await engine.InspectAsync(second.Token, "web")).Outcome);
        clock.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(RotationOutcome.Expired, (await engine.RotateAsync(second.Token, "web")).Outcome);
        Assert.Equal(1, (await store.FindAsync(rotatedOnce.FamilyId))!.Generation);
    }

    /// <summary>A record whose sealed identity was edited in the store (here its subject) answers Invalid with cause
    /// Tampered through the engine: no token, no answer about the new subject, a Warning event.</summary>
    public static async Task EditedRecordIsTamperedAsync(IFamilyStore store, IRawRecords raw)
    {
        var events = new RecordingObserver();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions { DefaultPolicy = Policy }, TestKeys.Ring, clock, observers: [events]);
        var victim = "victim-" + Guid.NewGuid().ToString("N");
        var mallory = "mallory-" + Guid.NewGuid().ToString("N");
        var issued = await engine.IssueAsync(victim, "web");
        var rotated = await engine.RotateAsync(issued.Token, "web");
        Assert.Equal(RotationOutcome.Rotated, rotated.Outcome);

        await raw.SetAsync(issued.FamilyId, FamilyColumns.Subject, mallory);

        var inspected = await engine.InspectAsync(rotated.Token, "web");
        Assert.Equal(RotationOutcome.Invalid, inspected.Outcome);
        Assert.Equal(OutcomeCause.Tampered, inspected.Cause);
        var refused = await engine.RotateAsync(rotated.Token, "web");
        Assert.Equal(RotationOutcome.Invalid, refused.Outcome);
        Assert.Equal(OutcomeCause.Tampered, refused.Cause);
        Assert.Null(refused.Token);
        Assert.Null(refused.Subject);
        Assert.Null(await engine.GetFamilyAsync(issued.FamilyId));
        Assert.Empty(await engine.ListFamiliesAsync(mallory));
        Assert.Empty(await engine.ListFamiliesAsync(victim));
        Assert.Contains(events.Events, e => e.Cause == OutcomeCause.Tampered && e.FamilyId == issued.FamilyId);
        Assert.DoesNotContain(events.Events, e => e.Subject == mallory);
    }

    /// <summary>SQL, Lua, Redis-glob and hash-tag metacharacters in subject, client, binding and metadata are kept
    /// verbatim: issue, read, list, rotate with that client and binding, revoke by that subject.</summary>
    public static async Task HostileTextRoundTripsAsync(IFamilyStore store)
    {
        var (engine, _) = Engine(store);
        var tag = Guid.NewGuid().ToString("N");
        var subject = $"o'brien\"; DROP TABLE families; -- {{{tag}}} *?[a-z] ]] %s $1 \\ \n\t ünï©ødé 😀";
        const string client = "c'li\"ent\\$1%_--[[x]]{y}";
        const string binding = "b'ind\"ing;--%s\\0\r\n]]==]";
        const string metadata = "{\"scope\":\"a'b\\\"c\"}\n$$ $1 ' \" \\ %d ]] [[ -- /* */ ; '' E'\\x00' return redis.call('FLUSHALL')";
        var issued = await engine.IssueAsync(subject, client, binding, metadata);

        var stored = await store.FindAsync(issued.FamilyId);
        Assert.NotNull(stored);
        Assert.Equal(subject, stored.Subject);
        Assert.Equal(client, stored.ClientId);
        Assert.Equal(binding, stored.Binding);
        Assert.Equal(metadata, stored.Metadata);
        var info = await engine.GetFamilyAsync(issued.FamilyId);
        Assert.NotNull(info);
        Assert.Equal((subject, client, binding, metadata), (info.Subject, info.ClientId, info.Binding, info.Metadata));
        Assert.Equal(new[] { issued.FamilyId }, (await engine.ListFamiliesAsync(subject)).Select(f => f.Id));

        Assert.Equal(RotationOutcome.BindingMismatch, (await engine.RotateAsync(issued.Token, client, binding + "'")).Outcome);
        var rotated = await engine.RotateAsync(issued.Token, client, binding);
        Assert.Equal(RotationOutcome.Rotated, rotated.Outcome);
        Assert.Equal(metadata, rotated.Metadata);
        Assert.Equal(subject, rotated.Subject);
        Assert.Equal(RotationOutcome.Invalid, (await engine.RotateAsync(rotated.Token, client + "'", binding)).Outcome);

        Assert.Equal(1, await engine.RevokeSubjectAsync(subject, RevocationReason.SignOut));
        Assert.Equal(RotationOutcome.Revoked, (await engine.RotateAsync(rotated.Token, client, binding)).Outcome);
        Assert.Empty(await engine.ListFamiliesAsync(subject));
    }

    private static (RefreshTokenEngine Engine, FakeTimeProvider Clock) Engine(IFamilyStore store)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
        return (new RefreshTokenEngine(store, new RotationEngineOptions { DefaultPolicy = Policy }, TestKeys.Ring, clock), clock);
    }
}
