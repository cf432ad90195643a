using Microsoft.Extensions.Logging;
using RotationEngine.Events;
using RotationEngine.Storage;

namespace RotationEngine.Testing;

/// <summary>
/// Records edited outside the engine (docs/semantics.md §3, invariant 14). A store writer's edit is played by reading
/// a real family, changing it, and creating the changed record in a fresh store: for any store, the engine then sees
/// exactly what it would see after an edit in place.
/// </summary>
public abstract partial class FamilyStoreConformanceTests
{
    private static readonly Dictionary<string, Func<FamilyRecord, FamilyRecord>> SealedEdits = new()
    {
        ["subject"] = f => f with { Subject = "mallory" },
        ["client"] = f => f with { ClientId = "mobile" },
        ["binding removed"] = f => f with { Binding = null },
        ["binding changed"] = f => f with { Binding = "jkt-mallory" },
        ["metadata"] = f => f with { Metadata = "scope=admin" },
        ["metadata removed"] = f => f with { Metadata = null },
        ["key id"] = f => f with { KeyId = TestKeys.Secondary.Id },
        ["created at"] = f => f with { CreatedAt = f.CreatedAt + TimeSpan.FromMilliseconds(1) },
        ["family expiry"] = f => f with { FamilyExpiresAt = f.FamilyExpiresAt + TimeSpan.FromDays(365) },
        ["token lifetime"] = f => f with { Policy = f.Policy with { TokenLifetime = TimeSpan.FromDays(3000) } },
        ["grace window"] = f => f with { Policy = f.Policy with { GraceWindow = TimeSpan.FromHours(1) } },
        ["grace depth"] = f => f with { Policy = f.Policy with { GraceDepth = 8 } },
        ["grace max replays"] = f => f with { Policy = f.Policy with { GraceMaxReplays = 65_535 } },
        ["binding mismatch revokes"] = f => f with { Policy = f.Policy with { BindingMismatchRevokes = !f.Policy.BindingMismatchRevokes } },
        ["max generations"] = f => f with { Policy = f.Policy with { MaxGenerations = 1_000_000 } },
        ["seal"] = f => f with { Seal = [.. f.Seal.Select((b, i) => i == 0 ? (byte)(b ^ 1) : b)] },
        ["seal emptied"] = f => f with { Seal = [] },
        ["generation beyond the limit"] = f => f with { Generation = f.Policy.MaxGenerations + 1 },
        ["max generations beyond the engine's limit"] = f => f with { Policy = f.Policy with { MaxGenerations = int.MaxValue } },
        ["metadata beyond the limit"] = f => f with { Metadata = new string('m', RefreshTokenEngine.MaxMetadataLength + 1) },
    };

    /// <summary>Names of the edits of sealed or bounded values.</summary>
    public static TheoryData<string> SealedEditNames() => new(SealedEdits.Keys);

    /// <summary>A record whose identity was edited (or whose values leave the engine's limits) answers Invalid
    /// (Tampered) to every operation, yields no token, names nobody, revokes and counts nothing, and raises a Warning.
    /// (The rotation's single write cannot see the seal: when the edit leaves its condition true, the write lands
    /// before the engine reads the record back and refuses, and the family sits at a generation nobody holds.)</summary>
    [Theory]
    [MemberData(nameof(SealedEditNames))]
    public async Task Record_edited_outside_the_engine_is_tampered(string edit)
    {
        var engine = CreateEngine(Policy with { BindingMismatchRevokes = true });
        var issued = await IssueAsync(engine, binding: "jkt-A");
        var retired = issued.Token;
        var current = (await ExpectAsync(engine, retired, RotationOutcome.Rotated, binding: "jkt-A")).Token!;
        var edited = SealedEdits[edit]((await Store.FindAsync(issued.FamilyId))!);
        var store = await StoreHoldingAsync(edited);
        var victim = CreateEngine(store: store);
        var before = await StateOf(issued.FamilyId, store);

        foreach (var (token, client, binding) in new[] { (current, Client, "jkt-A"), (retired, Client, "jkt-A"), (current, "mobile", "jkt-A"), (current, Client, "jkt-mallory"), (current, Client, (string?)null) })
        {
            var result = await victim.RotateAsync(token, client, binding);
            Assert.True(result.Outcome == RotationOutcome.Invalid, $"After editing the {edit}, a rotation got {result}.");
            Assert.True(result.Cause is OutcomeCause.Tampered, $"After editing the {edit}, the cause was {result.Cause}.");
            Assert.Null(result.Token);
            Assert.Null(result.Subject);
            Assert.Null(result.ClientId);
            Assert.Equal(RotationOutcome.Invalid, (await victim.InspectAsync(token, client, binding)).Outcome);
            Assert.False(await victim.RevokeAsync(token, client));
        }

        Assert.Null(await victim.GetFamilyAsync(issued.FamilyId));
        Assert.Empty(await victim.ListFamiliesAsync(edited.Subject));
        var after = (await store.FindAsync(issued.FamilyId))!;
        Assert.Equal(FamilyStatus.Active, after.Status);
        Assert.InRange(after.Generation, edited.Generation, edited.Generation + 1);
        if (after.Generation == edited.Generation)
        {
            Assert.Equal(before, await StateOf(issued.FamilyId, store));
        }

        Assert.Contains(Logs.Entries, e => e.EventId.Id == 1008 && e.Level == LogLevel.Warning && e.Message.Contains("Tampered", StringComparison.Ordinal));
        Assert.DoesNotContain(Events.Events, e => e.Subject == "mallory");
    }

    /// <summary>Edits of the changing part of a record cannot revive or extend anything: an expiry moved forward, a revoked
    /// family set active again, a ledger slot's time moved, a digest replaced. None yields a token.</summary>
    [Fact]
    public async Task Edited_state_yields_no_token()
    {
        var engine = CreateEngine();
        var issued = await IssueAsync(engine);
        var retired = issued.Token;
        Time.Advance(TimeSpan.FromSeconds(1));
        var current = (await ExpectAsync(engine, retired, RotationOutcome.Rotated)).Token!;
        var live = (await Store.FindAsync(issued.FamilyId))!;

        // A retired token's grace window does not reopen when its ledger slot claims a later retirement.
        Time.Advance(TimeSpan.FromMinutes(1));
        var slot = live.Ledger[12..];
        var reopened = live with { Ledger = (Time.GetUtcNow() - TimeSpan.FromSeconds(1)).ToUnixTimeMilliseconds().ToString("X12", System.Globalization.CultureInfo.InvariantCulture) + slot };
        var replayer = CreateEngine(store: await StoreHoldingAsync(reopened));
        var refused = await ExpectAsync(replayer, retired, RotationOutcome.Invalid);
        Assert.Equal(OutcomeCause.RecordMismatch, refused.Cause);

        // A revoked family set active again stays dead: revocation erased its digest.
        await engine.RevokeFamilyAsync(issued.FamilyId, RevocationReason.SignOut);
        var revoked = (await Store.FindAsync(issued.FamilyId))!;
        Assert.All(revoked.Digest, b => Assert.Equal(0, b));
        var revived = CreateEngine(store: await StoreHoldingAsync(revoked with { Status = FamilyStatus.Active, RevokedAt = null, RevocationReason = null }));
        Assert.Equal(OutcomeCause.RecordMismatch, (await ExpectAsync(revived, current, RotationOutcome.Invalid)).Cause);
        Assert.False(await revived.RevokeAsync(current));

        // A digest from another family does not make this family's tokens work, nor that family's here.
        var other = await IssueAsync(engine);
        var otherDigest = (await Store.FindAsync(other.FamilyId))!.Digest;
        var swapped = CreateEngine(store: await StoreHoldingAsync(live with { Digest = otherDigest }));
        Assert.Equal(OutcomeCause.RecordMismatch, (await ExpectAsync(swapped, current, RotationOutcome.Invalid)).Cause);
        // An idle-expired token stays expired when the row's expiry is pushed into the future.
        Time.Advance(Policy.TokenLifetime);
        var extended = CreateEngine(store: await StoreHoldingAsync(live with { TokenExpiresAt = live.TokenExpiresAt + TimeSpan.FromDays(30) }));
        var expired = await ExpectAsync(extended, current, RotationOutcome.Expired);
        Assert.Equal(OutcomeCause.TokenExpired, expired.Cause);
        Assert.True((await ExpectAsync(extended, retired, RotationOutcome.Invalid)).Cause is OutcomeCause.RecordMismatch);

        Assert.Contains(Logs.Entries, e => e.EventId.Id == 1008 && e.Message.Contains("RecordMismatch", StringComparison.Ordinal));
    }

    /// <summary>An authentic token newer than the store's record (the store lost the write: a restored backup, a
    /// failover to a lagging replica) is Invalid and changes nothing; the older token the record expects still works.</summary>
    [Fact]
    public async Task Token_newer_than_the_record_is_invalid()
    {
        var engine = CreateEngine();
        var issued = await IssueAsync(engine);
        var backup = (await Store.FindAsync(issued.FamilyId))!;
        var newer = (await ExpectAsync(engine, issued.Token, RotationOutcome.Rotated)).Token!;
        var restored = await StoreHoldingAsync(backup);
        var afterRestore = CreateEngine(store: restored);

        var result = await ExpectAsync(afterRestore, newer, RotationOutcome.Invalid);

        Assert.Equal(OutcomeCause.RecordMismatch, result.Cause);
        Assert.Equal(Describe(backup), await StateOf(issued.FamilyId, restored));
        await ExpectAsync(afterRestore, issued.Token, RotationOutcome.Rotated);
    }

    /// <summary>A record of another family copied under this family's id (a store writer moving sessions between users)
    /// is tampered: the seal covers the id.</summary>
    [Fact]
    public async Task Record_copied_to_another_id_is_tampered()
    {
        var engine = CreateEngine();
        var alice = await IssueAsync(engine);
        var mallory = await engine.IssueAsync("mallory", Client);
        var malloryRecord = (await Store.FindAsync(mallory.FamilyId))!;
        var store = await StoreHoldingAsync(malloryRecord with { Id = alice.FamilyId });
        var victim = CreateEngine(store: store);

        Assert.Equal(OutcomeCause.Tampered, (await ExpectAsync(victim, alice.Token, RotationOutcome.Invalid)).Cause);
        Assert.Null(await victim.GetFamilyAsync(alice.FamilyId));
    }
}
