using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RotationEngine.Events;
using RotationEngine.Storage;
using RotationEngine.Testing;

namespace RotationEngine.Tests;

/// <summary>
/// docs/semantics.md §8: every outcome other than a plain rotation is an event (family, subject, client, generation,
/// generations behind, outcome, cause) and a log entry with a stable id and level. Each test pins one kind: the
/// event's fields and the log entry's id, level and structured values, as an audit pipeline would read them.
/// </summary>
public sealed class EventLogTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 4, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly CapturingLoggerProvider _logs = new();
    private readonly RecordingObserver _events = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly InMemoryFamilyStore _store = new();

    public EventLogTests() =>
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));

    public void Dispose() => _loggerFactory.Dispose();

    private static readonly RotationPolicy Policy = new()
    {
        TokenLifetime = TimeSpan.FromHours(1),
        FamilyLifetime = TimeSpan.FromDays(1),
        GraceWindow = TimeSpan.FromSeconds(10),
    };

    private RefreshTokenEngine Engine(RotationPolicy? policy = null) =>
        new(_store, new RotationEngineOptions { DefaultPolicy = policy ?? Policy }, TestKeys.Ring, _time, _loggerFactory, [_events]);

    private CapturedLog Logged(int eventId) => Assert.Single(_logs.Entries, e => e.EventId.Id == eventId);

    private static void HasValues(CapturedLog entry, params string[] values)
    {
        foreach (var value in values)
        {
            Assert.Contains(value + ",", entry.Values + ",", StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_grace_replay_is_an_information_entry_with_how_far_behind_and_how_late()
    {
        var engine = Engine();
        var issued = await engine.IssueAsync("alice", "web");
        await engine.RotateAsync(issued.Token, "web");
        _time.Advance(TimeSpan.FromMilliseconds(2_500));

        await engine.RotateAsync(issued.Token, "web");

        var e = Assert.Single(_events.Events);
        Assert.Equal(
            (RotationEventKind.GraceReplay, (RotationOutcome?)RotationOutcome.GraceReplay, OutcomeCause.WithinGrace, _time.GetUtcNow(), (FamilyId?)issued.FamilyId, "alice", "web", (int?)1, (int?)1, (TimeSpan?)TimeSpan.FromMilliseconds(2_500), (RevocationReason?)null, (int?)null),
            (e.Kind, e.Outcome, e.Cause, e.Timestamp, e.FamilyId, e.Subject, e.ClientId, e.Generation, e.GenerationsBehind, e.SinceRetirement, e.RevocationReason, e.Count));
        var log = Logged(1001);
        Assert.Equal((LogLevel.Information, "GraceReplay"), (log.Level, log.EventId.Name));
        HasValues(log, $"FamilyId={issued.FamilyId}", "Subject=alice", "ClientId=web", "Generation=1", "GenerationsBehind=1", "SinceRetirementMs=2500");
    }

    [Fact]
    public async Task A_reuse_is_a_warning_naming_the_cause_the_generation_and_the_delay()
    {
        var engine = Engine();
        var issued = await engine.IssueAsync("alice", "web");
        var first = await engine.RotateAsync(issued.Token, "web");
        _time.Advance(TimeSpan.FromSeconds(1));
        await engine.RotateAsync(first.Token, "web");
        _time.Advance(TimeSpan.FromSeconds(30));

        var result = await engine.RotateAsync(issued.Token, "web");

        Assert.Equal((RotationOutcome.ReuseDetected, OutcomeCause.GraceDepthExceeded, (RevocationReason?)RevocationReason.ReuseDetected), (result.Outcome, result.Cause, result.RevocationReason));
        var e = Assert.Single(_events.Events);
        Assert.Equal(
            (RotationEventKind.ReuseDetected, (RotationOutcome?)RotationOutcome.ReuseDetected, OutcomeCause.GraceDepthExceeded, (int?)2, (int?)2, (TimeSpan?)null, (RevocationReason?)RevocationReason.ReuseDetected, "alice", "web"),
            (e.Kind, e.Outcome, e.Cause, e.Generation, e.GenerationsBehind, e.SinceRetirement, e.RevocationReason, e.Subject, e.ClientId));
        var log = Logged(1002);
        Assert.Equal((LogLevel.Warning, "ReuseDetected"), (log.Level, log.EventId.Name));
        HasValues(log, "Cause=GraceDepthExceeded", $"FamilyId={issued.FamilyId}", "Subject=alice", "ClientId=web", "Generation=2", "GenerationsBehind=2", "SinceRetirementMs=");
        Assert.Equal(FamilyStatus.Revoked, (await _store.FindAsync(issued.FamilyId))!.Status);
    }

    [Fact]
    public async Task A_reuse_after_the_window_reports_how_long_after_retirement_it_came()
    {
        var engine = Engine();
        var issued = await engine.IssueAsync("alice", "web");
        await engine.RotateAsync(issued.Token, "web");
        _time.Advance(TimeSpan.FromSeconds(10));

        await engine.RotateAsync(issued.Token, "web");

        var e = Assert.Single(_events.Events);
        Assert.Equal((OutcomeCause.GraceWindowElapsed, (int?)1, (TimeSpan?)TimeSpan.FromSeconds(10)), (e.Cause, e.GenerationsBehind, e.SinceRetirement));
        HasValues(Logged(1002), "Cause=GraceWindowElapsed", "GenerationsBehind=1", "SinceRetirementMs=10000");
    }

    [Fact]
    public async Task A_token_of_a_revoked_family_is_an_information_entry_with_the_reason()
    {
        var engine = Engine();
        var issued = await engine.IssueAsync("alice", "web");
        var rotated = await engine.RotateAsync(issued.Token, "web");
        await engine.RevokeFamilyAsync(issued.FamilyId, RevocationReason.Administrative);

        var result = await engine.RotateAsync(issued.Token, "web");
        var current = await engine.RotateAsync(rotated.Token, "web");

        Assert.Equal((RotationOutcome.Revoked, OutcomeCause.FamilyRevoked, (RevocationReason?)RevocationReason.Administrative), (result.Outcome, result.Cause, result.RevocationReason));
        Assert.Equal((RotationOutcome.Revoked, (RevocationReason?)RevocationReason.Administrative), (current.Outcome, current.RevocationReason));
        var revoked = _events.Events.Where(e => e.Kind == RotationEventKind.Revoked).ToList();
        Assert.Equal([(int?)1, 0], revoked.Select(e => e.GenerationsBehind));
        Assert.All(revoked, e => Assert.Equal((RevocationReason?)RevocationReason.Administrative, e.RevocationReason));
        var logs = _logs.Entries.Where(e => e.EventId.Id == 1003).ToList();
        Assert.Equal(2, logs.Count);
        Assert.All(logs, l => Assert.Equal((LogLevel.Information, "RevokedFamilyPresented"), (l.Level, l.EventId.Name)));
        HasValues(logs[0], $"FamilyId={issued.FamilyId}", "Subject=alice", "ClientId=web", "RevocationReason=Administrative", "GenerationsBehind=1");
        HasValues(logs[1], "GenerationsBehind=0");
    }

    [Fact]
    public async Task An_expired_token_is_a_debug_entry_with_the_cause()
    {
        var engine = Engine();
        var issued = await engine.IssueAsync("alice", "web");
        _time.Advance(TimeSpan.FromHours(1));

        var result = await engine.RotateAsync(issued.Token, "web");

        Assert.Equal((RotationOutcome.Expired, OutcomeCause.TokenExpired, (RevocationReason?)null), (result.Outcome, result.Cause, result.RevocationReason));
        var e = Assert.Single(_events.Events);
        Assert.Equal((RotationEventKind.Expired, OutcomeCause.TokenExpired, (int?)0, (int?)0), (e.Kind, e.Cause, e.Generation, e.GenerationsBehind));
        var log = Logged(1004);
        Assert.Equal((LogLevel.Debug, "Expired"), (log.Level, log.EventId.Name));
        HasValues(log, $"FamilyId={issued.FamilyId}", "Subject=alice", "ClientId=web", "Cause=TokenExpired");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_binding_mismatch_is_a_warning_that_says_whether_the_family_was_revoked(bool revokes)
    {
        var engine = Engine(Policy with { BindingMismatchRevokes = revokes });
        var issued = await engine.IssueAsync("alice", "web", binding: "jkt-1");

        var result = await engine.RotateAsync(issued.Token, "web", "jkt-2");

        Assert.Equal((RotationOutcome.BindingMismatch, OutcomeCause.BindingMismatch), (result.Outcome, result.Cause));
        Assert.Equal(revokes ? RevocationReason.BindingMismatch : null, result.RevocationReason);
        var e = Assert.Single(_events.Events);
        Assert.Equal((RotationEventKind.BindingMismatch, "alice", (int?)0), (e.Kind, e.Subject, e.Generation));
        Assert.Equal(revokes ? RevocationReason.BindingMismatch : null, e.RevocationReason);
        var log = Logged(1005);
        Assert.Equal((LogLevel.Warning, "BindingMismatch"), (log.Level, log.EventId.Name));
        HasValues(log, $"FamilyId={issued.FamilyId}", "Subject=alice", "ClientId=web", "Generation=0", $"Revoked={revokes}");
        Assert.Equal(revokes ? FamilyStatus.Revoked : FamilyStatus.Active, (await _store.FindAsync(issued.FamilyId))!.Status);
    }

    [Fact]
    public async Task Malformed_strings_and_pruned_families_are_debug_entries_not_warnings()
    {
        var engine = Engine();
        var ghostToken = (await new RefreshTokenEngine(new InMemoryFamilyStore(), new RotationEngineOptions { DefaultPolicy = Policy }, TestKeys.Ring, _time).IssueAsync("ghost", "web")).Token;

        await engine.RotateAsync("rt2_garbage", "web");
        await engine.RotateAsync(ghostToken, "web");
        Assert.False(await engine.RevokeAsync("garbage"));
        Assert.False(await engine.RevokeAsync(ghostToken));

        Assert.Equal(
            [(OutcomeCause.Malformed, (FamilyId?)null), (OutcomeCause.UnknownFamily, TokenForgery.FamilyOf(ghostToken)), (OutcomeCause.Malformed, null), (OutcomeCause.UnknownFamily, TokenForgery.FamilyOf(ghostToken))],
            _events.Events.Select(e => (e.Cause, e.FamilyId)));
        Assert.All(_events.Events, e => Assert.Equal((RotationEventKind.Invalid, (RotationOutcome?)RotationOutcome.Invalid, (string?)null), (e.Kind, e.Outcome, e.Subject)));
        var logs = _logs.Entries.Where(e => e.EventId.Id == 1006).ToList();
        Assert.Equal(4, logs.Count);
        Assert.All(logs, l => Assert.Equal((LogLevel.Debug, "Invalid"), (l.Level, l.EventId.Name)));
        HasValues(logs[0], "Cause=Malformed", "FamilyId=");
        HasValues(logs[1], "Cause=UnknownFamily", $"FamilyId={TokenForgery.FamilyOf(ghostToken)}");
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task Another_clients_token_is_a_warning_naming_the_familys_owner_but_a_forged_tag_names_nobody()
    {
        var engine = Engine();
        var issued = await engine.IssueAsync("alice", "web");

        await engine.RotateAsync(issued.Token, "mobile");
        Assert.False(await engine.RevokeAsync(issued.Token, "mobile"));
        await engine.RotateAsync(TokenForgery.WithFlippedTagBit(issued.Token, 5), "web");
        Assert.False(await engine.RevokeAsync(TokenForgery.WithFlippedTagBit(issued.Token, 5), "web"));
        Assert.False(await engine.RevokeAsync(TokenForgery.WithFingerprint(issued.Token, TestKeys.Primary.Fingerprint ^ 1)));

        Assert.Equal(
            [
                (OutcomeCause.ClientMismatch, "alice", "web"),
                (OutcomeCause.ClientMismatch, "alice", "web"),
                (OutcomeCause.NotAuthentic, null, null),
                (OutcomeCause.NotAuthentic, null, null),
                (OutcomeCause.UnknownKey, null, null),
            ],
            _events.Events.Select(e => (e.Cause, e.Subject, e.ClientId)));
        Assert.All(_events.Events, e => Assert.Equal((FamilyId?)issued.FamilyId, e.FamilyId));
        var logs = _logs.Entries.Where(e => e.EventId.Id == 1008).ToList();
        Assert.Equal(5, logs.Count);
        Assert.All(logs, l => Assert.Equal((LogLevel.Warning, "SuspiciousToken"), (l.Level, l.EventId.Name)));
        HasValues(logs[0], "Cause=ClientMismatch", $"FamilyId={issued.FamilyId}", "Subject=alice", "ClientId=web");
        HasValues(logs[2], "Cause=NotAuthentic", "Subject=", "ClientId=");
        HasValues(logs[4], "Cause=UnknownKey");
        Assert.Equal(FamilyStatus.Active, (await _store.FindAsync(issued.FamilyId))!.Status);
    }

    [Fact]
    public async Task A_revocation_by_a_token_the_record_does_not_continue_is_a_warning_naming_the_owner()
    {
        var engine = Engine();
        var issued = await engine.IssueAsync("alice", "web");
        var stale = await _store.FindAsync(issued.FamilyId);
        var rotated = await engine.RotateAsync(issued.Token, "web");

        // A store that lost the rotation (a restored backup): the current token is newer than the record.
        var restored = new InMemoryFamilyStore();
        await restored.CreateAsync(stale!);
        var onBackup = new RefreshTokenEngine(restored, new RotationEngineOptions { DefaultPolicy = Policy }, TestKeys.Ring, _time, _loggerFactory, [_events]);

        Assert.False(await onBackup.RevokeAsync(rotated.Token));

        var e = Assert.Single(_events.Events);
        Assert.Equal((OutcomeCause.RecordMismatch, "alice", "web"), (e.Cause, e.Subject, e.ClientId));
        HasValues(Logged(1008), "Cause=RecordMismatch", "Subject=alice");
        Assert.Equal(FamilyStatus.Active, (await restored.FindAsync(issued.FamilyId))!.Status);
    }

    [Fact]
    public async Task Revocations_are_information_entries_with_count_family_and_subject()
    {
        var engine = Engine();
        var byToken = await engine.IssueAsync("alice", "web");
        await engine.RotateAsync(byToken.Token, "web");
        var byId = await engine.IssueAsync("alice", "web");
        await engine.IssueAsync("alice", "web");
        await engine.IssueAsync("alice", "web");

        Assert.True(await engine.RevokeAsync(byToken.Token, "web", RevocationReason.SignOut));
        Assert.True(await engine.RevokeFamilyAsync(byId.FamilyId, RevocationReason.Administrative));
        Assert.Equal(2, await engine.RevokeSubjectAsync("alice", RevocationReason.TokenRevocation));
        Assert.Equal(0, await engine.RevokeSubjectAsync("alice", RevocationReason.TokenRevocation));
        Assert.False(await engine.RevokeFamilyAsync(byId.FamilyId, RevocationReason.Administrative));

        var revoked = _events.Events.Where(e => e.Kind == RotationEventKind.FamilyRevoked).ToList();
        Assert.Equal(
            [
                ((FamilyId?)byToken.FamilyId, "alice", "web", (int?)1, (RevocationReason?)RevocationReason.SignOut, (int?)1),
                (byId.FamilyId, null, null, null, RevocationReason.Administrative, 1),
                (null, "alice", null, null, RevocationReason.TokenRevocation, 2),
            ],
            revoked.Select(e => (e.FamilyId, e.Subject, e.ClientId, e.Generation, e.RevocationReason, e.Count)));
        Assert.All(revoked, e => Assert.Equal(_time.GetUtcNow(), e.Timestamp));
        var logs = _logs.Entries.Where(e => e.EventId.Id == 1007).ToList();
        Assert.Equal(3, logs.Count);
        Assert.All(logs, l => Assert.Equal((LogLevel.Information, "FamilyRevoked"), (l.Level, l.EventId.Name)));
        HasValues(logs[0], "Count=1", $"FamilyId={byToken.FamilyId}", "Subject=alice", "RevocationReason=SignOut");
        HasValues(logs[2], "Count=2", "FamilyId=", "Subject=alice", "RevocationReason=TokenRevocation");
    }

    [Fact]
    public async Task A_failing_observer_is_logged_with_its_type_and_the_event_kind_and_later_observers_still_hear()
    {
        var recorder = new RecordingObserver();
        var engine = new RefreshTokenEngine(_store, new RotationEngineOptions { DefaultPolicy = Policy }, TestKeys.Ring, _time, _loggerFactory, [new FailingObserver(), recorder]);

        await engine.RotateAsync("garbage", "web");

        Assert.Single(recorder.Events);
        var log = Logged(2002);
        Assert.Equal((LogLevel.Error, "ObserverFailed"), (log.Level, log.EventId.Name));
        HasValues(log, "Observer=FailingObserver", "Kind=Invalid");
        Assert.Contains("observer bug", log.Exception, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspection_publishes_nothing()
    {
        var engine = Engine(Policy with { GraceWindow = TimeSpan.Zero });
        var issued = await engine.IssueAsync("alice", "web", binding: "jkt");
        await engine.RotateAsync(issued.Token, "web", "jkt");
        var before = _events.Events.Count;

        Assert.Equal(RotationOutcome.ReuseDetected, (await engine.InspectAsync(issued.Token, "web", "jkt")).Outcome);
        Assert.Equal(RotationOutcome.Invalid, (await engine.InspectAsync("garbage")).Outcome);
        Assert.Equal(OutcomeCause.ClientMismatch, (await engine.InspectAsync(issued.Token, "mobile")).Cause);
        Assert.Equal(OutcomeCause.NotAuthentic, (await engine.InspectAsync(TokenForgery.WithFlippedSecretBit(issued.Token, 1))).Cause);

        Assert.Equal(before, _events.Events.Count);
        Assert.Empty(_logs.Entries);
        Assert.Equal(FamilyStatus.Active, (await _store.FindAsync(issued.FamilyId))!.Status);
    }

    private sealed class FailingObserver : IRotationEventObserver
    {
        public void OnEvent(RotationEvent rotationEvent) => throw new InvalidOperationException("observer bug");
    }
}
