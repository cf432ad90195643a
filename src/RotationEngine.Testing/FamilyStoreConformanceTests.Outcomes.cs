// Over 300 lines: one concern's conformance cases (every outcome and cause of docs/semantics.md §5), one short test
// each; the suite is split by concern across FamilyStoreConformanceTests.*.cs.
using RotationEngine.Events;
using RotationEngine.Storage;

namespace RotationEngine.Testing;

public abstract partial class FamilyStoreConformanceTests
{
    /// <summary>Issue starts a family at generation 0 with the policy's expiries and a well-formed token.</summary>
    [Fact]
    public async Task Issue_starts_a_family_at_generation_zero()
    {
        var engine = CreateEngine();
        var start = Time.GetUtcNow();
        var issued = await IssueAsync(engine, binding: "jkt-1");

        Assert.StartsWith(RotationEngine.Tokens.TokenFormat.Prefix, issued.Token, StringComparison.Ordinal);
        Assert.InRange(issued.Token.Length, 1, 128);
        Assert.All(issued.Token, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '_' or '-', $"'{c}' is not URL- and cookie-safe"));
        Assert.Equal(start + Policy.TokenLifetime, issued.TokenExpiresAt);
        Assert.Equal(start + Policy.FamilyLifetime, issued.FamilyExpiresAt);

        var family = await Store.FindAsync(issued.FamilyId);
        Assert.NotNull(family);
        Assert.Equal(0, family.Generation);
        Assert.Equal(FamilyStatus.Active, family.Status);
        Assert.Equal("alice", family.Subject);
        Assert.Equal("web", family.ClientId);
        Assert.Equal("jkt-1", family.Binding);
        Assert.Equal("scope=openid offline_access", family.Metadata);
        Assert.Equal(TestKeys.Primary.Id, family.KeyId);
        Assert.Equal(start, family.CreatedAt);
        Assert.Equal(PolicySnapshot.Of(Policy), family.Policy);
        Assert.Equal("", family.Ledger);
        Assert.Null(family.RevokedAt);
        Assert.Equal(16, family.Digest.Length);
        Assert.Equal(16, family.Seal.Length);

        var info = await engine.GetFamilyAsync(issued.FamilyId);
        Assert.NotNull(info);
        Assert.Equal(("alice", "web", "jkt-1", 0, FamilyStatus.Active), (info.Subject, info.ClientId, info.Binding, info.Generation, info.Status));
        Assert.Null(await engine.GetFamilyAsync(FamilyId.New()));
    }

    /// <summary>The current token rotates: a new token, the next generation, a sliding expiry.</summary>
    [Fact]
    public async Task Rotating_the_current_token_issues_the_next_generation()
    {
        var engine = CreateEngine();
        var issued = await IssueAsync(engine);
        Time.Advance(TimeSpan.FromMinutes(5));

        var rotated = await ExpectAsync(engine, issued.Token, RotationOutcome.Rotated);

        Assert.NotEqual(issued.Token, rotated.Token);
        Assert.Equal(1, rotated.Generation);
        Assert.Equal(1, TokenForgery.GenerationOf(rotated.Token!));
        Assert.Equal(issued.FamilyId, rotated.FamilyId);
        Assert.Equal("alice", rotated.Subject);
        Assert.Equal("web", rotated.ClientId);
        Assert.Equal("scope=openid offline_access", rotated.Metadata);
        Assert.Equal(Time.GetUtcNow() + Policy.TokenLifetime, rotated.TokenExpiresAt);
        Assert.Equal(issued.FamilyExpiresAt, rotated.FamilyExpiresAt);
        Assert.Equal(OutcomeCause.None, rotated.Cause);
        Assert.Equal(1, (await Store.FindAsync(issued.FamilyId))!.Generation);
        Assert.Empty(Events.Events);
    }

    /// <summary>Generations only grow, one per rotation (invariant 11).</summary>
    [Fact]
    public async Task Each_rotation_advances_the_generation_by_one()
    {
        var engine = CreateEngine();
        var token = (await IssueAsync(engine)).Token;
        for (var generation = 1; generation <= 25; generation++)
        {
            Time.Advance(TimeSpan.FromMinutes(1));
            var rotated = await ExpectAsync(engine, token, RotationOutcome.Rotated);
            Assert.Equal(generation, rotated.Generation);
            token = rotated.Token!;
        }
    }

    /// <summary>A retired token within grace gets the current token byte for byte; nothing advances.</summary>
    [Fact]
    public async Task Retired_token_within_grace_replays_the_current_token_byte_identical()
    {
        var engine = CreateEngine();
        var issued = await IssueAsync(engine);
        var rotated = await ExpectAsync(engine, issued.Token, RotationOutcome.Rotated);
        Time.Advance(TimeSpan.FromSeconds(2));

        var first = await ExpectAsync(engine, issued.Token, RotationOutcome.GraceReplay);
        var second = await ExpectAsync(engine, issued.Token, RotationOutcome.GraceReplay);

        Assert.Equal(rotated.Token, first.Token);
        Assert.Equal(rotated.Token, second.Token);
        Assert.Equal(1, first.Generation);
        Assert.Equal(OutcomeCause.WithinGrace, first.Cause);
        var family = (await Store.FindAsync(issued.FamilyId))!;
        Assert.Equal(1, family.Generation);
        Assert.True(GraceLedger.TryRead(family.Ledger, 0, out _, out var replays));
        Assert.Equal(2, replays);

        Assert.Equal(2, Events.Events.Count(e => e.Kind == RotationEventKind.GraceReplay));
        Assert.All(Events.Events, e =>
        {
            Assert.Equal(1, e.GenerationsBehind);
            Assert.Equal(TimeSpan.FromSeconds(2), e.SinceRetirement);
            Assert.Equal("alice", e.Subject);
        });

        // The replayed token is the current one: it still rotates.
        await ExpectAsync(engine, first.Token, RotationOutcome.Rotated);
    }

    /// <summary>Outside grace, an authentic retired token revokes the family (invariant 3) and everything after is refused.</summary>
    [Fact]
    public async Task Reuse_outside_grace_revokes_the_family()
    {
        var engine = CreateEngine();
        var issued = await IssueAsync(engine);
        var rotated = await ExpectAsync(engine, issued.Token, RotationOutcome.Rotated);
        Time.Advance(TimeSpan.FromSeconds(11));

        var reuse = await ExpectAsync(engine, issued.Token, RotationOutcome.ReuseDetected);

        Assert.Equal(RevocationReason.ReuseDetected, reuse.RevocationReason);
        Assert.Equal(OutcomeCause.GraceWindowElapsed, reuse.Cause);
        var family = (await Store.FindAsync(issued.FamilyId))!;
        Assert.Equal(FamilyStatus.Revoked, family.Status);
        Assert.Equal(RevocationReason.ReuseDetected, family.RevocationReason);
        Assert.Equal(Time.GetUtcNow(), family.RevokedAt);

        var evt = Assert.Single(Events.Events);
        Assert.Equal(RotationEventKind.ReuseDetected, evt.Kind);
        Assert.Equal(1, evt.GenerationsBehind);
        Assert.Equal(TimeSpan.FromSeconds(11), evt.SinceRetirement);
        Assert.Equal(issued.FamilyId, evt.FamilyId);

        // Revocation is final (invariant 2): neither the current nor the retired token works any more.
        var current = await ExpectAsync(engine, rotated.Token, RotationOutcome.Revoked);
        Assert.Equal(RevocationReason.ReuseDetected, current.RevocationReason);
        await ExpectAsync(engine, issued.Token, RotationOutcome.Revoked);
    }

    /// <summary>A revoked family reports why.</summary>
    [Fact]
    public async Task Revoked_family_reports_its_reason()
    {
        var engine = CreateEngine();
        var issued = await IssueAsync(engine);

        Assert.True(await engine.RevokeFamilyAsync(issued.FamilyId, RevocationReason.SignOut));
        Assert.False(await engine.RevokeFamilyAsync(issued.FamilyId, RevocationReason.Administrative));

        var result = await ExpectAsync(engine, issued.Token, RotationOutcome.Revoked);
        Assert.Equal(RevocationReason.SignOut, result.RevocationReason);
        Assert.Equal(OutcomeCause.FamilyRevoked, result.Cause);
        Assert.Equal(RevocationReason.SignOut, (await Store.FindAsync(issued.FamilyId))!.RevocationReason);
        Assert.Contains(Events.Events, e => e.Kind == RotationEventKind.FamilyRevoked && e.FamilyId == issued.FamilyId);
        Assert.Contains(Events.Events, e => e.Kind == RotationEventKind.Revoked && e.RevocationReason == RevocationReason.SignOut);
    }

    /// <summary>The idle expiry is exclusive: one millisecond before it rotates, at it nothing succeeds (invariant 5).</summary>
    [Fact]
    public async Task Token_idle_expiry_is_exclusive()
    {
        var engine = CreateEngine();
        var issued = await IssueAsync(engine);
        Time.Advance(Policy.TokenLifetime - TimeSpan.FromMilliseconds(1));
        var rotated = await ExpectAsync(engine, issued.Token, RotationOutcome.Rotated);

        Time.Advance(Policy.TokenLifetime);
        var before = await StateOf(issued.FamilyId);
        var expired = await ExpectAsync(engine, rotated.Token, RotationOutcome.Expired);

        Assert.Equal(OutcomeCause.TokenExpired, expired.Cause);
        Assert.Equal(before, await StateOf(issued.FamilyId));
        Assert.Contains(Events.Events, e => e.Kind == RotationEventKind.Expired);
    }

    /// <summary>The absolute expiry caps the sliding one: rotations keep sliding, then stop at issue time + family lifetime.</summary>
    [Fact]
    public async Task Family_absolute_expiry_caps_the_sliding_expiry()
    {
        var policy = Policy with { TokenLifetime = TimeSpan.FromHours(1), FamilyLifetime = TimeSpan.FromHours(2) };
        var engine = CreateEngine(policy);
        var issued = await IssueAsync(engine);
        var familyExpiry = issued.FamilyExpiresAt;

        Time.Advance(TimeSpan.FromMinutes(50));
        var first = await ExpectAsync(engine, issued.Token, RotationOutcome.Rotated);
        Assert.Equal(Time.GetUtcNow() + TimeSpan.FromHours(1), first.TokenExpiresAt);

        Time.Advance(TimeSpan.FromMinutes(50));
        var second = await ExpectAsync(engine, first.Token, RotationOutcome.Rotated);
        Assert.Equal(familyExpiry, second.TokenExpiresAt);

        Time.Advance(TimeSpan.FromMinutes(20) - TimeSpan.FromMilliseconds(1));
        var third = await ExpectAsync(engine, second.Token, RotationOutcome.Rotated);

        Time.Advance(TimeSpan.FromMilliseconds(1));
        var expired = await ExpectAsync(engine, third.Token, RotationOutcome.Expired);
        Assert.Equal(OutcomeCause.FamilyExpired, expired.Cause);
        Assert.Equal(Time.GetUtcNow(), familyExpiry);
    }

    /// <summary>A bound family refuses another binding (and no binding), and revokes when the policy says so.</summary>
    [Fact]
    public async Task Binding_mismatch_revokes_when_the_policy_says_so()
    {
        var engine = CreateEngine(Policy with { BindingMismatchRevokes = true });
        var issued = await IssueAsync(engine, binding: "jkt-A");

        var mismatch = await ExpectAsync(engine, issued.Token, RotationOutcome.BindingMismatch, binding: "jkt-B");

        Assert.Equal(RevocationReason.BindingMismatch, mismatch.RevocationReason);
        Assert.Equal(FamilyStatus.Revoked, (await Store.FindAsync(issued.FamilyId))!.Status);
        Assert.Contains(Events.Events, e => e.Kind == RotationEventKind.BindingMismatch);
        await ExpectAsync(engine, issued.Token, RotationOutcome.Revoked, binding: "jkt-A");

        var other = await IssueAsync(engine, binding: "jkt-A");
        await ExpectAsync(engine, other.Token, RotationOutcome.BindingMismatch, binding: null);
    }

    /// <summary>Without revocation a mismatch changes nothing, and the rightful binding still rotates.</summary>
    [Fact]
    public async Task Binding_mismatch_without_revocation_leaves_the_family_usable()
    {
        var engine = CreateEngine(Policy with { BindingMismatchRevokes = false });
        var issued = await IssueAsync(engine, binding: "jkt-A");
        var before = await StateOf(issued.FamilyId);

        var mismatch = await ExpectAsync(engine, issued.Token, RotationOutcome.BindingMismatch, binding: "jkt-B");

        Assert.Null(mismatch.RevocationReason);
        Assert.Equal(before, await StateOf(issued.FamilyId));
        var rotated = await ExpectAsync(engine, issued.Token, RotationOutcome.Rotated, binding: "jkt-A");

        // A retired token within grace with the wrong binding is a mismatch too, not a replay.
        await ExpectAsync(engine, issued.Token, RotationOutcome.BindingMismatch, binding: "jkt-B");
        Assert.Equal(rotated.Token, (await ExpectAsync(engine, issued.Token, RotationOutcome.GraceReplay, binding: "jkt-A")).Token);
    }

    /// <summary>An unbound family ignores whatever binding is presented.</summary>
    [Fact]
    public async Task Unbound_family_ignores_the_presented_binding()
    {
        var engine = CreateEngine();
        var issued = await IssueAsync(engine);
        await ExpectAsync(engine, issued.Token, RotationOutcome.Rotated, binding: "anything");
    }

    /// <summary>An authentic token whose family the store does not hold (pruned, or issued against another store) is Invalid.</summary>
    [Fact]
    public async Task Authentic_token_of_an_absent_family_is_invalid()
    {
        var elsewhere = CreateEngine(store: await NewStoreAsync());
        var issued = await IssueAsync(elsewhere);
        var engine = CreateEngine();

        var result = await ExpectAsync(engine, issued.Token, RotationOutcome.Invalid);

        Assert.Equal(OutcomeCause.UnknownFamily, result.Cause);
        Assert.Null(result.FamilyId);
        Assert.Contains(Events.Events, e => e.Kind == RotationEventKind.Invalid && e.Cause == OutcomeCause.UnknownFamily);
    }

    /// <summary>A token presented by another client (RFC 6749 §6) is Invalid and changes nothing: no rotation, no replay
    /// count, no revocation, whether it is current, within grace or outside it (invariant 13).</summary>
    [Fact]
    public async Task Another_clients_token_never_rotates_replays_revokes_or_counts()
    {
        var engine = CreateEngine(Policy with { GraceMaxReplays = 1 });
        var issued = await IssueAsync(engine);
        var state = await StateOf(issued.FamilyId);

        var current = await ExpectAsync(engine, issued.Token, RotationOutcome.Invalid, client: "mobile");
        Assert.Equal(OutcomeCause.ClientMismatch, current.Cause);
        Assert.Null(current.Subject);
        Assert.Equal(RotationOutcome.Invalid, (await engine.InspectAsync(issued.Token, "mobile")).Outcome);
        Assert.False(await engine.RevokeAsync(issued.Token, "mobile"));
        Assert.Equal(state, await StateOf(issued.FamilyId));

        var rotated = await ExpectAsync(engine, issued.Token, RotationOutcome.Rotated);
        state = await StateOf(issued.FamilyId);
        await ExpectAsync(engine, issued.Token, RotationOutcome.Invalid, client: "mobile");
        Assert.False(await engine.RevokeAsync(issued.Token, "mobile"));
        Assert.Equal(state, await StateOf(issued.FamilyId));

        // The one replay the policy allows is still there for the rightful client.
        Assert.Equal(rotated.Token, (await ExpectAsync(engine, issued.Token, RotationOutcome.GraceReplay)).Token);
        state = await StateOf(issued.FamilyId);

        // Outside grace, the other client's presentation is not reuse either.
        Time.Advance(TimeSpan.FromMinutes(1));
        await ExpectAsync(engine, issued.Token, RotationOutcome.Invalid, client: "mobile");
        Assert.Equal(state, await StateOf(issued.FamilyId));
        Assert.All(Events.Events.Where(e => e.Cause == OutcomeCause.ClientMismatch), e => Assert.Equal(RotationEventKind.Invalid, e.Kind));
        Assert.Contains(Logs.Entries, e => e.EventId.Id == 1008 && e.Level == Microsoft.Extensions.Logging.LogLevel.Warning);

        await ExpectAsync(engine, rotated.Token, RotationOutcome.Rotated);
    }

    /// <summary>A client whose policy requires binding gets no unbound family; a bound one works (RFC 9449 §5).</summary>
    [Fact]
    public async Task Client_requiring_binding_gets_no_unbound_family()
    {
        var engine = CreateEngine(configure: o => o.ClientPolicies["public"] = Policy with { RequireBinding = true });

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await engine.IssueAsync("alice", "public"));
        Assert.Contains("RequireBinding", error.Message, StringComparison.Ordinal);
        Assert.Empty(await engine.ListFamiliesAsync("alice"));

        var bound = await engine.IssueAsync("alice", "public", binding: "jkt-A");
        await ExpectAsync(engine, bound.Token, RotationOutcome.Rotated, binding: "jkt-A", client: "public");
        await ExpectAsync(engine, bound.Token, RotationOutcome.BindingMismatch, binding: null, client: "public");
    }
}
