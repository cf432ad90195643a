using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RotationEngine.Events;
using RotationEngine.Storage;
using RotationEngine.Testing;

namespace RotationEngine.Tests;

/// <summary>
/// What the engine does with answers that no honest store gives: a listing that ignores its filter, a record of the
/// wrong id, a write that reports another generation or digest, a compare-and-swap that always loses, a revocation
/// that loses a race. The engine checks each answer itself (docs/semantics.md §9 "Sealed identity", invariant 9).
/// </summary>
public sealed class StoreDistrustTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly CapturingLoggerProvider _logs = new();
    private readonly RecordingObserver _events = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly ScriptedStore _store = new();

    public StoreDistrustTests() =>
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));

    public void Dispose() => _loggerFactory.Dispose();

    private static readonly RotationPolicy Policy = new()
    {
        TokenLifetime = TimeSpan.FromHours(1),
        FamilyLifetime = TimeSpan.FromDays(1),
        GraceWindow = TimeSpan.FromSeconds(10),
    };

    private RefreshTokenEngine Engine(RotationPolicy? policy = null, Action<RotationEngineOptions>? configure = null, Keys.IKeyRing? keys = null)
    {
        var options = new RotationEngineOptions { DefaultPolicy = policy ?? Policy };
        configure?.Invoke(options);
        return new RefreshTokenEngine(_store, options, keys ?? TestKeys.Ring, _time, _loggerFactory, [_events]);
    }

    [Fact]
    public async Task A_listing_that_ignores_its_filter_shows_only_the_subjects_live_sessions()
    {
        var engine = Engine();
        var live = await engine.IssueAsync("alice", "web");
        var revoked = await engine.IssueAsync("alice", "web");
        await engine.RevokeFamilyAsync(revoked.FamilyId, RevocationReason.SignOut);
        await engine.IssueAsync("bob", "web");
        var idle = await engine.IssueAsync("alice", "web", metadata: "idle");
        var shortLived = await Engine(Policy with { FamilyLifetime = TimeSpan.FromMinutes(30) }).IssueAsync("alice", "web");
        _time.Advance(TimeSpan.FromMinutes(45));
        Assert.Equal(RotationOutcome.Rotated, (await engine.RotateAsync(live.Token, "web")).Outcome);
        _time.Advance(TimeSpan.FromMinutes(15));

        // Now: "idle" reached its idle expiry exactly, "shortLived" its family expiry 30 minutes ago.
        _store.OnList = (_, _) => _store.Inner.Snapshot();
        var listed = await engine.ListFamiliesAsync("alice");

        var only = Assert.Single(listed);
        Assert.Equal(live.FamilyId, only.Id);
        Assert.Equal(1, only.Generation);
        Assert.NotEqual(idle.FamilyId, only.Id);
        Assert.NotEqual(shortLived.FamilyId, only.Id);
    }

    [Fact]
    public async Task Listed_sessions_end_exactly_at_their_idle_or_family_expiry()
    {
        var engine = Engine(Policy with { TokenLifetime = TimeSpan.FromHours(1), FamilyLifetime = TimeSpan.FromHours(2) });
        var idle = await engine.IssueAsync("carol", "web");
        _time.Advance(TimeSpan.FromMinutes(59));
        var kept = await engine.IssueAsync("carol", "web");
        _store.OnList = (_, _) => _store.Inner.Snapshot();
        _time.Advance(TimeSpan.FromMinutes(1) - TimeSpan.FromMilliseconds(1));

        Assert.Equal(2, (await engine.ListFamiliesAsync("carol")).Count);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(kept.FamilyId, Assert.Single(await engine.ListFamiliesAsync("carol")).Id);

        // Keep "kept" rotating until its family expiry, 2 hours after its issue.
        var token = kept.Token;
        for (var i = 0; i < 2; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(30));
            token = (await engine.RotateAsync(token, "web")).Token!;
        }

        _time.SetUtcNow(kept.FamilyExpiresAt - TimeSpan.FromMilliseconds(1));
        Assert.Single(await engine.ListFamiliesAsync("carol"));
        _time.SetUtcNow(kept.FamilyExpiresAt);
        Assert.Empty(await engine.ListFamiliesAsync("carol"));
        Assert.NotEqual(idle.FamilyId, kept.FamilyId);
    }

    [Fact]
    public async Task A_record_of_another_id_is_no_answer_for_a_family()
    {
        var engine = Engine();
        var a = await engine.IssueAsync("alice", "web");
        var b = await engine.IssueAsync("bob", "web");
        var bRecord = await _store.Inner.FindAsync(b.FamilyId);
        _store.OnFind = (id, found) => id == a.FamilyId ? bRecord : found;

        Assert.Null(await engine.GetFamilyAsync(a.FamilyId));
        Assert.Equal("bob", (await engine.GetFamilyAsync(b.FamilyId))!.Subject);
    }

    [Fact]
    public async Task A_family_under_a_retired_key_is_reported_as_an_unknown_key_and_an_edited_one_as_tampered()
    {
        var old = Engine(keys: new Keys.KeyRing([TestKeys.Secondary]));
        var underOldKey = await old.IssueAsync("alice", "web");
        var engine = Engine();
        var edited = await engine.IssueAsync("alice", "web");
        var outOfLimits = await engine.IssueAsync("alice", "web");
        var withOldKeyAndOutOfLimits = await old.IssueAsync("alice", "web");
        _store.OnFind = (id, found) =>
            id == edited.FamilyId ? found! with { Subject = "mallory" }
            : id == outOfLimits.FamilyId || id == withOldKeyAndOutOfLimits.FamilyId ? found! with { Generation = -1 }
            : found;

        Assert.Null(await engine.GetFamilyAsync(underOldKey.FamilyId));
        Assert.Null(await engine.GetFamilyAsync(edited.FamilyId));
        Assert.Null(await engine.GetFamilyAsync(outOfLimits.FamilyId));
        Assert.Null(await engine.GetFamilyAsync(withOldKeyAndOutOfLimits.FamilyId));

        var invalid = _events.Events.Where(e => e.Kind == RotationEventKind.Invalid).ToList();
        Assert.Equal(
            [
                (underOldKey.FamilyId, OutcomeCause.UnknownKey),
                (edited.FamilyId, OutcomeCause.Tampered),
                (outOfLimits.FamilyId, OutcomeCause.Tampered),
                (withOldKeyAndOutOfLimits.FamilyId, OutcomeCause.Tampered),
            ],
            invalid.Select(e => (e.FamilyId!.Value, e.Cause)));
        Assert.All(invalid, e => Assert.Null(e.Subject));
        Assert.Equal(4, _logs.Entries.Count(e => e.EventId.Id == 1008 && e.Level == LogLevel.Warning));
    }

    [Fact]
    public async Task A_family_info_reports_when_its_current_token_was_issued()
    {
        var engine = Engine();
        var issued = await engine.IssueAsync("alice", "web", "jkt", "scope=a");
        var fresh = (await engine.GetFamilyAsync(issued.FamilyId))!;
        _time.Advance(TimeSpan.FromMinutes(5));
        await engine.RotateAsync(issued.Token, "web", "jkt");
        var rotated = (await engine.GetFamilyAsync(issued.FamilyId))!;

        Assert.Equal(_time.GetUtcNow() - TimeSpan.FromMinutes(5), fresh.CreatedAt);
        Assert.Equal(fresh.CreatedAt, fresh.LastRotatedAt);
        Assert.Equal(fresh.CreatedAt, rotated.CreatedAt);
        Assert.Equal(_time.GetUtcNow(), rotated.LastRotatedAt);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromHours(1), rotated.TokenExpiresAt);
        Assert.Equal(fresh.CreatedAt + TimeSpan.FromDays(1), rotated.FamilyExpiresAt);
        Assert.Equal(("alice", "web", "jkt", "scope=a", 1, FamilyStatus.Active), (rotated.Subject, rotated.ClientId, rotated.Binding, rotated.Metadata, rotated.Generation, rotated.Status));
        Assert.Null(rotated.RevokedAt);

        _time.Advance(TimeSpan.FromSeconds(1));
        await engine.RevokeFamilyAsync(issued.FamilyId, RevocationReason.Administrative);
        var revoked = (await engine.GetFamilyAsync(issued.FamilyId))!;
        Assert.Equal((FamilyStatus.Revoked, _time.GetUtcNow(), RevocationReason.Administrative), (revoked.Status, revoked.RevokedAt, revoked.RevocationReason));
    }

    public static TheoryData<string, OutcomeCause> LyingWrites() => new()
    {
        { "generation + 2", OutcomeCause.RecordMismatch },
        { "generation unchanged", OutcomeCause.RecordMismatch },
        { "another digest", OutcomeCause.RecordMismatch },
        { "another id", OutcomeCause.Tampered },
        { "another subject", OutcomeCause.Tampered },
    };

    [Theory]
    [MemberData(nameof(LyingWrites))]
    public async Task A_write_that_reports_another_record_hands_out_no_token(string lie, OutcomeCause cause)
    {
        var engine = Engine();
        var other = await engine.IssueAsync("bob", "web");
        var issued = await engine.IssueAsync("alice", "web");
        _store.OnRotated = (command, current) =>
        {
            var written = command.ApplyTo(current!);
            return lie switch
            {
                "generation + 2" => written with { Generation = written.Generation + 1 },
                "generation unchanged" => written with { Generation = current!.Generation },
                "another digest" => written with { Digest = current!.Digest },
                "another id" => written with { Id = other.FamilyId },
                _ => written with { Subject = "mallory" },
            };
        };

        var result = await engine.RotateAsync(issued.Token, "web");

        Assert.Equal((RotationOutcome.Invalid, cause), (result.Outcome, result.Cause));
        Assert.Null(result.Token);
        Assert.Null(result.FamilyId);
        var invalid = Assert.Single(_events.Events);
        Assert.Equal((RotationEventKind.Invalid, cause, issued.FamilyId), (invalid.Kind, invalid.Cause, invalid.FamilyId));
        Assert.Null(invalid.Subject);
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 1008 && e.Values.Contains($"Cause={cause}", StringComparison.Ordinal));
        Assert.Equal(1, _store.Rotates);
        Assert.Equal(0, _store.Finds);
    }

    [Fact]
    public async Task A_write_that_reports_exactly_the_planned_record_rotates()
    {
        var engine = Engine();
        var issued = await engine.IssueAsync("alice", "web");
        _store.OnRotated = (command, current) => command.Matches(current!) ? command.ApplyTo(current!) : null;

        var result = await engine.RotateAsync(issued.Token, "web");

        Assert.Equal(RotationOutcome.Rotated, result.Outcome);
        Assert.Equal(1, result.Generation);
        Assert.Empty(_events.Events);
    }

    [Fact]
    public async Task A_compare_and_swap_that_fails_once_without_cause_is_retried_after_a_read()
    {
        var engine = Engine();
        var issued = await engine.IssueAsync("alice", "web");
        var failures = 1;
        _store.OnRotated = (command, current) =>
        {
            if (failures-- > 0)
            {
                return null;
            }

            return ScriptedStore.Completed(_store.Inner.TryRotateAsync(command));
        };

        var result = await engine.RotateAsync(issued.Token, "web");

        Assert.Equal((RotationOutcome.Rotated, 1), (result.Outcome, result.Generation));
        Assert.Equal((2, 1), (_store.Rotates, _store.Finds));
        Assert.Equal(RotationOutcome.GraceReplay, (await engine.RotateAsync(issued.Token, "web")).Outcome);
    }

    [Fact]
    public async Task A_family_that_changes_on_every_attempt_is_a_store_fault_after_128_attempts()
    {
        var engine = Engine();
        var issued = await engine.IssueAsync("alice", "web");
        await engine.RotateAsync(issued.Token, "web");
        _store.OnRecordReplay = (_, _, _, _) => false;
        var findsBefore = _store.Finds;

        var fault = await Assert.ThrowsAsync<RotationStoreException>(async () => await engine.RotateAsync(issued.Token, "web"));

        Assert.Equal("The family changed on each of 128 attempts; the outcome is unknown.", fault.Message);
        Assert.Equal(128, _store.Finds - findsBefore);
        Assert.Equal(128, _store.Replays);
        var logged = Assert.Single(_logs.Entries, e => e.EventId.Id == 2003);
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Contains("Operation=Rotate", logged.Values, StringComparison.Ordinal);
        Assert.DoesNotContain(_events.Events, e => e.Kind == RotationEventKind.GraceReplay);
    }

    [Fact]
    public async Task A_replay_whose_count_lost_a_race_is_counted_on_the_next_read()
    {
        var engine = Engine(Policy with { GraceMaxReplays = 2 });
        var issued = await engine.IssueAsync("alice", "web");
        var rotated = await engine.RotateAsync(issued.Token, "web");
        var lost = 1;
        _store.OnRecordReplay = (_, _, _, _) => lost-- > 0 ? false : null;

        var replay = await engine.RotateAsync(issued.Token, "web");

        Assert.Equal(RotationOutcome.GraceReplay, replay.Outcome);
        Assert.Equal(rotated.Token, replay.Token);
        Assert.Equal(2, _store.Replays);
        Assert.Single(_events.Events, e => e.Kind == RotationEventKind.GraceReplay);
        Assert.Equal(RotationOutcome.GraceReplay, (await engine.RotateAsync(issued.Token, "web")).Outcome);
        Assert.Equal(OutcomeCause.GraceReplaysExhausted, (await engine.RotateAsync(issued.Token, "web")).Cause);
    }

    [Fact]
    public async Task A_reuse_whose_revocation_lost_a_race_answers_Revoked_and_reports_nothing()
    {
        var engine = Engine(Policy with { GraceWindow = TimeSpan.Zero });
        var issued = await engine.IssueAsync("alice", "web");
        await engine.RotateAsync(issued.Token, "web");
        _store.OnRevoke = (id, _, now) =>
        {
            // Another request revoked the family (sign-out) just before this one's write.
            Assert.True(ScriptedStore.Completed(_store.Inner.TryRevokeAsync(id, RevocationReason.SignOut, now)));
            return false;
        };

        var result = await engine.RotateAsync(issued.Token, "web");

        Assert.Equal((RotationOutcome.Revoked, OutcomeCause.FamilyRevoked, RevocationReason.SignOut), (result.Outcome, result.Cause, result.RevocationReason));
        Assert.DoesNotContain(_events.Events, e => e.Kind == RotationEventKind.ReuseDetected);
        var revoked = Assert.Single(_events.Events, e => e.Kind == RotationEventKind.Revoked);
        Assert.Equal(RevocationReason.SignOut, revoked.RevocationReason);
        Assert.Equal(1, _store.Revokes);
    }

    [Fact]
    public async Task A_revocation_by_token_that_lost_a_race_reports_nothing()
    {
        var engine = Engine();
        var issued = await engine.IssueAsync("alice", "web");
        _store.OnRevoke = (_, _, _) => false;

        Assert.False(await engine.RevokeAsync(issued.Token, "web"));
        Assert.False(await engine.RevokeFamilyAsync(issued.FamilyId, RevocationReason.SignOut));
        Assert.Empty(_events.Events);
        Assert.DoesNotContain(_logs.Entries, e => e.EventId.Id == 1007);
    }

    [Fact]
    public async Task Prune_repeats_full_batches_until_one_is_short()
    {
        var engine = Engine(configure: o =>
        {
            o.PruneBatchSize = 2;
            o.Retention = TimeSpan.FromHours(1);
        });
        for (var i = 0; i < 5; i++)
        {
            var issued = await engine.IssueAsync($"user{i}", "web");
            await engine.RevokeFamilyAsync(issued.FamilyId, RevocationReason.SignOut);
        }

        var keep = await engine.IssueAsync("kept", "web");
        _time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMilliseconds(1));
        var cutoff = _time.GetUtcNow() - TimeSpan.FromHours(1);

        Assert.Equal(5, await engine.PruneAsync());
        Assert.Equal([(cutoff, 2, 2), (cutoff, 2, 2), (cutoff, 2, 1)], _store.Prunes);
        var log = Assert.Single(_logs.Entries, e => e.EventId.Id == 2004);
        Assert.StartsWith("Pruned 5 families revoked or expired before ", log.Message, StringComparison.Ordinal);
        Assert.Contains("Count=5", log.Values, StringComparison.Ordinal);
        Assert.NotNull(await engine.GetFamilyAsync(keep.FamilyId));

        // Three more revoked and "kept" idle-expired: four, two full batches and an empty one.
        _store.Prunes.Clear();
        for (var i = 0; i < 3; i++)
        {
            await engine.RevokeFamilyAsync((await engine.IssueAsync($"more{i}", "web")).FamilyId, RevocationReason.SignOut);
        }

        _time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(4, await engine.PruneAsync());
        Assert.Equal([2, 2, 0], _store.Prunes.Select(p => p.Deleted));
    }

    [Fact]
    public async Task Prune_stops_at_a_cancellation_between_batches()
    {
        var engine = Engine(configure: o => o.PruneBatchSize = 1);
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await engine.PruneAsync(cancellation.Token));
        Assert.Empty(_store.Prunes);
    }

    [Fact]
    public async Task Times_are_whole_milliseconds_of_the_engines_clock()
    {
        _time.SetUtcNow(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero) + TimeSpan.FromTicks(9_999));
        var engine = Engine();

        var issued = await engine.IssueAsync("alice", "web");
        var info = (await engine.GetFamilyAsync(issued.FamilyId))!;

        var whole = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(whole, info.CreatedAt);
        Assert.Equal(whole + TimeSpan.FromHours(1), issued.TokenExpiresAt);
        Assert.Equal(whole + TimeSpan.FromDays(1), issued.FamilyExpiresAt);
        Assert.Equal(whole.ToUnixTimeMilliseconds(), TokenForgery.IssuedAtOf(issued.Token));
    }

    [Fact]
    public async Task A_token_expiry_never_outlives_the_family()
    {
        var engine = Engine(Policy with { TokenLifetime = TimeSpan.FromHours(2), FamilyLifetime = TimeSpan.FromHours(1) });

        var issued = await engine.IssueAsync("alice", "web");
        var rotated = await engine.RotateAsync(issued.Token, "web");

        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromHours(1), issued.TokenExpiresAt);
        Assert.Equal(issued.FamilyExpiresAt, issued.TokenExpiresAt);
        Assert.Equal(issued.FamilyExpiresAt, rotated.TokenExpiresAt);
        Assert.Equal(issued.FamilyExpiresAt, (await engine.GetFamilyAsync(issued.FamilyId))!.TokenExpiresAt);
    }

    [Fact]
    public async Task A_clock_outside_what_a_token_can_carry_is_a_clear_error()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(1969, 12, 31, 23, 59, 59, 999, TimeSpan.Zero));
        var engine = new RefreshTokenEngine(_store, new RotationEngineOptions { DefaultPolicy = Policy }, TestKeys.Ring, time);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await engine.IssueAsync("alice", "web"));

        Assert.Equal("The engine's clock reads 1969-12-31T23:59:59.9990000+00:00, outside the years 1970 to 10889 that a token can carry.", error.Message);
        Assert.Equal(0, _store.Inner.Count);

        time.SetUtcNow(DateTimeOffset.UnixEpoch);
        var first = await engine.IssueAsync("alice", "web");
        Assert.Equal(0, TokenForgery.IssuedAtOf(first.Token));
    }
}
