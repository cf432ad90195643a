using Microsoft.Extensions.Logging;
using RotationEngine.Events;
using RotationEngine.Storage;
using RotationEngine.Testing;

namespace RotationEngine.Tests;

/// <summary>
/// docs/semantics.md §9 "Events": each Warning event id is limited to 20 entries a minute of the engine's clock, the
/// number held back is logged (event 2005) with the first entry after the minute, and observers still receive every
/// event. Pinned at the minute's edge, per event id, with a clock that steps back, and with warnings switched off.
/// </summary>
public sealed class WarningRateLimitTests : IDisposable
{
    private readonly SettableClock _time = new(new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly CapturingLoggerProvider _logs = new();
    private readonly RecordingObserver _events = new();
    private readonly ILoggerFactory _loggerFactory;
    private LogLevel _minimum = LogLevel.Trace;

    public WarningRateLimitTests() =>
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace).AddFilter((_, level) => level >= _minimum));

    public void Dispose() => _loggerFactory.Dispose();

    private RefreshTokenEngine Engine(RotationPolicy? policy = null) =>
        new(new InMemoryFamilyStore(), new RotationEngineOptions { DefaultPolicy = policy ?? RotationPolicy.Default }, TestKeys.Ring, _time, _loggerFactory, [_events]);

    private int Logged(int eventId) => _logs.Entries.Count(e => e.EventId.Id == eventId);

    private static async Task ForgeAsync(RefreshTokenEngine engine, int count)
    {
        var family = FamilyId.New();
        for (var i = 0; i < count; i++)
        {
            await engine.RotateAsync(TokenForgery.Random(family, i), "web");
        }
    }

    [Fact]
    public async Task The_twenty_first_warning_of_a_minute_waits_for_the_next_minute_which_reports_it()
    {
        var engine = Engine();
        await ForgeAsync(engine, 21);
        Assert.Equal(20, Logged(1008));

        _time.Now += TimeSpan.FromMinutes(1) - TimeSpan.FromMilliseconds(1);
        await ForgeAsync(engine, 1);
        Assert.Equal(20, Logged(1008));
        Assert.Equal(0, Logged(2005));

        _time.Now += TimeSpan.FromMilliseconds(1);
        await ForgeAsync(engine, 1);
        Assert.Equal(21, Logged(1008));
        var summary = Assert.Single(_logs.Entries, e => e.EventId.Id == 2005);
        Assert.Equal((LogLevel.Warning, "WarningsSuppressed"), (summary.Level, summary.EventId.Name));
        Assert.Equal("2 more warnings with event id 1008 were held back in the last minute (at most 20 a minute are logged)", summary.Message);
        Assert.Equal(23, _events.Events.Count);

        // The new minute started with that entry: 19 more fit in it.
        await ForgeAsync(engine, 20);
        Assert.Equal(40, Logged(1008));
        Assert.Single(_logs.Entries, e => e.EventId.Id == 2005);
    }

    [Fact]
    public async Task A_minute_without_held_back_entries_reports_nothing()
    {
        var engine = Engine();
        await ForgeAsync(engine, 20);
        _time.Now += TimeSpan.FromMinutes(5);

        await ForgeAsync(engine, 20);

        Assert.Equal(40, Logged(1008));
        Assert.Equal(0, Logged(2005));
    }

    [Fact]
    public async Task Each_warning_event_id_has_its_own_limit()
    {
        var engine = Engine(RotationPolicy.Default with { GraceWindow = TimeSpan.Zero, BindingMismatchRevokes = false });
        await ForgeAsync(engine, 25);
        for (var i = 0; i < 25; i++)
        {
            var issued = await engine.IssueAsync($"user{i}", "web", binding: "jkt");
            await engine.RotateAsync(issued.Token, "web", "other");
            await engine.RotateAsync(issued.Token, "web", "jkt");
            await engine.RotateAsync(issued.Token, "web", "jkt");
        }

        Assert.Equal(20, Logged(1008));
        Assert.Equal(20, Logged(1005));
        Assert.Equal(20, Logged(1002));
        Assert.Equal(25, _events.Events.Count(e => e.Kind == RotationEventKind.ReuseDetected));
        Assert.Equal(25, _events.Events.Count(e => e.Kind == RotationEventKind.BindingMismatch));

        _time.Now += TimeSpan.FromMinutes(1);
        var last = await engine.IssueAsync("last", "web");
        await engine.RotateAsync(last.Token, "web");
        await engine.RotateAsync(last.Token, "web");
        Assert.Equal(21, Logged(1002));
        var summary = Assert.Single(_logs.Entries, e => e.EventId.Id == 2005);
        Assert.Contains("Count=5", summary.Values, StringComparison.Ordinal);
        Assert.Contains("EventId=1002", summary.Values, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_clock_that_steps_back_starts_a_new_minute()
    {
        var engine = Engine();
        await ForgeAsync(engine, 22);

        _time.Now -= TimeSpan.FromSeconds(1);
        await ForgeAsync(engine, 1);

        Assert.Equal(21, Logged(1008));
        Assert.Contains("Count=2", Assert.Single(_logs.Entries, e => e.EventId.Id == 2005).Values, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Warnings_switched_off_use_up_nothing_of_the_minute()
    {
        var engine = Engine();
        _minimum = LogLevel.Error;
        await ForgeAsync(engine, 30);
        Assert.Empty(_logs.Entries);

        _minimum = LogLevel.Trace;
        await ForgeAsync(engine, 20);

        Assert.Equal(20, Logged(1008));
        Assert.Equal(0, Logged(2005));
        Assert.Equal(50, _events.Events.Count);
    }

    /// <summary>A clock that can be set anywhere, backwards included (FakeTimeProvider only moves forward).</summary>
    private sealed class SettableClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
