using RotationEngine.Keys;
using RotationEngine.Storage;

namespace RotationEngine.Testing;

public abstract partial class FamilyStoreConformanceTests
{
    /// <summary>The grace window is exclusive: one millisecond before its end a replay works, at its end it is reuse.</summary>
    [Fact]
    public async Task Grace_window_boundary_is_exclusive()
    {
        var engine = CreateEngine(Policy with { GraceWindow = TimeSpan.FromSeconds(10) });
        var issued = await IssueAsync(engine);
        var rotated = await ExpectAsync(engine, issued.Token, RotationOutcome.Rotated);

        Time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(rotated.Token, (await ExpectAsync(engine, issued.Token, RotationOutcome.GraceReplay)).Token);

        Time.Advance(TimeSpan.FromMilliseconds(1));
        var reuse = await ExpectAsync(engine, issued.Token, RotationOutcome.ReuseDetected);
        Assert.Equal(OutcomeCause.GraceWindowElapsed, reuse.Cause);
    }

    /// <summary>A zero window is strict rotation: the first replay is reuse.</summary>
    [Fact]
    public async Task Zero_grace_window_is_strict_rotation()
    {
        var engine = CreateEngine(Policy with { GraceWindow = TimeSpan.Zero });
        var issued = await IssueAsync(engine);
        await ExpectAsync(engine, issued.Token, RotationOutcome.Rotated);

        var reuse = await ExpectAsync(engine, issued.Token, RotationOutcome.ReuseDetected);
        Assert.Equal(OutcomeCause.GraceWindowElapsed, reuse.Cause);
    }

    /// <summary>Grace depth bounds how many generations back may replay.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Grace_depth_bounds_how_far_back_a_token_may_replay(int depth)
    {
        var engine = CreateEngine(Policy with { GraceDepth = depth });
        var tokens = new List<string> { (await IssueAsync(engine)).Token };
        for (var i = 0; i <= depth; i++)
        {
            Time.Advance(TimeSpan.FromMilliseconds(100));
            tokens.Add((await ExpectAsync(engine, tokens[^1], RotationOutcome.Rotated)).Token!);
        }

        var current = tokens[^1];
        for (var behind = 1; behind <= depth; behind++)
        {
            var replay = await ExpectAsync(engine, tokens[^(behind + 1)], RotationOutcome.GraceReplay);
            Assert.Equal(current, replay.Token);
        }

        var tooOld = await ExpectAsync(engine, tokens[^(depth + 2)], RotationOutcome.ReuseDetected);
        Assert.Equal(OutcomeCause.GraceDepthExceeded, tooOld.Cause);
    }

    /// <summary>Replays are counted per retired generation and stop at the policy's maximum.</summary>
    [Fact]
    public async Task Grace_max_replays_bounds_replays_per_generation()
    {
        var engine = CreateEngine(Policy with { GraceMaxReplays = 2 });
        var issued = await IssueAsync(engine);
        var rotated = await ExpectAsync(engine, issued.Token, RotationOutcome.Rotated);

        await ExpectAsync(engine, issued.Token, RotationOutcome.GraceReplay);
        await ExpectAsync(engine, issued.Token, RotationOutcome.GraceReplay);
        var exhausted = await ExpectAsync(engine, issued.Token, RotationOutcome.ReuseDetected);

        Assert.Equal(OutcomeCause.GraceReplaysExhausted, exhausted.Cause);
        await ExpectAsync(engine, rotated.Token, RotationOutcome.Revoked);
    }

    /// <summary>A retired token past its own idle expiry gets no grace even inside the window.</summary>
    [Fact]
    public async Task Retired_token_past_its_own_idle_expiry_gets_no_grace()
    {
        var engine = CreateEngine(Policy with { TokenLifetime = TimeSpan.FromSeconds(20), GraceWindow = TimeSpan.FromSeconds(15) });
        var issued = await IssueAsync(engine);
        Time.Advance(TimeSpan.FromSeconds(19));
        var rotated = await ExpectAsync(engine, issued.Token, RotationOutcome.Rotated);

        Time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(rotated.Token, (await ExpectAsync(engine, issued.Token, RotationOutcome.GraceReplay)).Token);

        Time.Advance(TimeSpan.FromMilliseconds(1));
        var late = await ExpectAsync(engine, issued.Token, RotationOutcome.ReuseDetected);
        Assert.Equal(OutcomeCause.RetiredTokenExpired, late.Cause);
    }

    /// <summary>After MaxGenerations rotations the family can rotate no more.</summary>
    [Fact]
    public async Task Generation_limit_ends_the_family()
    {
        var engine = CreateEngine(Policy with { MaxGenerations = 3 });
        var token = (await IssueAsync(engine)).Token;
        for (var i = 0; i < 3; i++)
        {
            token = (await ExpectAsync(engine, token, RotationOutcome.Rotated)).Token!;
        }

        var limit = await ExpectAsync(engine, token, RotationOutcome.Expired);
        Assert.Equal(OutcomeCause.GenerationLimit, limit.Cause);
        Assert.Equal(3, (await Store.FindAsync(TokenForgery.FamilyOf(token)))!.Generation);
    }

    /// <summary>Per-client policies apply, and a family keeps the policy it was issued under.</summary>
    [Fact]
    public async Task Policy_is_per_client_and_frozen_at_issue()
    {
        var engine = CreateEngine(configure: o => o.ClientPolicies["strict"] = Policy with { GraceWindow = TimeSpan.Zero });
        var strict = await engine.IssueAsync("alice", "strict");
        var lenient = await engine.IssueAsync("alice", "web");
        await ExpectAsync(engine, strict.Token, RotationOutcome.Rotated, client: "strict");
        await ExpectAsync(engine, lenient.Token, RotationOutcome.Rotated);

        // A new engine with a strict default does not change families issued before.
        var later = CreateEngine(Policy with { GraceWindow = TimeSpan.Zero });
        await ExpectAsync(later, lenient.Token, RotationOutcome.GraceReplay);
        await ExpectAsync(later, strict.Token, RotationOutcome.ReuseDetected, client: "strict");
        Assert.Equal(TimeSpan.Zero, (await Store.FindAsync(strict.FamilyId))!.Policy.GraceWindow);
    }

    /// <summary>A family keeps its key after the ring's current key changes; new families use the new key.</summary>
    [Fact]
    public async Task Family_keeps_its_key_after_key_rotation()
    {
        var before = CreateEngine();
        var issued = await IssueAsync(before);
        var afterRing = new KeyRing([TestKeys.Primary, TestKeys.Secondary], currentKeyId: TestKeys.Secondary.Id);
        var after = CreateEngine(keys: afterRing);

        var rotated = await ExpectAsync(after, issued.Token, RotationOutcome.Rotated);
        Assert.Equal(TestKeys.Primary.Id, (await Store.FindAsync(issued.FamilyId))!.KeyId);
        Assert.Equal(rotated.Token, (await ExpectAsync(after, issued.Token, RotationOutcome.GraceReplay)).Token);

        // The old engine (old key only) agrees with the chain the new one extended.
        var again = await ExpectAsync(before, rotated.Token, RotationOutcome.Rotated);
        Assert.Equal(again.Token, (await ExpectAsync(after, rotated.Token, RotationOutcome.GraceReplay)).Token);

        var fresh = await IssueAsync(after);
        Assert.Equal(TestKeys.Secondary.Id, (await Store.FindAsync(fresh.FamilyId))!.KeyId);
        await ExpectAsync(after, fresh.Token, RotationOutcome.Rotated);
    }

    /// <summary>A family whose key left the ring is Invalid, and nothing changes.</summary>
    [Fact]
    public async Task Unknown_key_is_invalid_and_changes_nothing()
    {
        var issued = await IssueAsync(CreateEngine());
        var stranger = CreateEngine(keys: new KeyRing([TestKeys.Secondary]));
        var before = await StateOf(issued.FamilyId);

        var result = await ExpectAsync(stranger, issued.Token, RotationOutcome.Invalid);

        Assert.Equal(OutcomeCause.UnknownKey, result.Cause);
        Assert.Equal(before, await StateOf(issued.FamilyId));
        Assert.False(await stranger.RevokeAsync(issued.Token));
        Assert.Equal(before, await StateOf(issued.FamilyId));
    }

    /// <summary>Two engines with skewed clocks on one store agree (multi-instance deployments).</summary>
    [Fact]
    public async Task Engines_sharing_a_store_agree()
    {
        var skewed = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Time.GetUtcNow() + TimeSpan.FromSeconds(1));
        var a = CreateEngine();
        var b = CreateEngine(time: skewed);
        var issued = await IssueAsync(a);

        var rotated = await ExpectAsync(b, issued.Token, RotationOutcome.Rotated);
        Assert.Equal(rotated.Token, (await ExpectAsync(a, issued.Token, RotationOutcome.GraceReplay)).Token);
        var next = await ExpectAsync(a, rotated.Token, RotationOutcome.Rotated);
        Assert.Equal(next.Token, (await ExpectAsync(b, rotated.Token, RotationOutcome.GraceReplay)).Token);

        skewed.Advance(TimeSpan.FromMinutes(1));
        await ExpectAsync(b, issued.Token, RotationOutcome.ReuseDetected);
        await ExpectAsync(a, next.Token, RotationOutcome.Revoked);
    }
}
