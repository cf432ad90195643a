using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using RotationEngine.Internal;
using RotationEngine.Storage;
using RotationEngine.Testing;
using RotationEngine.Testing.Faults;

namespace RotationEngine.Tests;

/// <summary>The engine's meter and activity source are process-wide: these tests run alone, so that they count
/// exactly what their own engine records.</summary>
[CollectionDefinition(nameof(TelemetryCollection), DisableParallelization = true)]
public sealed class TelemetryCollection;

/// <summary>
/// Rotations are counted and timed by outcome on the <c>RotationEngine</c> meter, store faults under the outcome
/// <c>StoreFault</c>, on every path: a store that answers synchronously or not, traced or not, and with only one of
/// the two instruments listened to.
/// </summary>
[Collection(nameof(TelemetryCollection))]
public sealed class TelemetryTests
{
    [Fact]
    public async Task Every_outcome_is_counted_and_timed_under_its_own_name()
    {
        using var meter = new Measurements();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
        var engine = new RefreshTokenEngine(new InMemoryFamilyStore(), new RotationEngineOptions { DefaultPolicy = RotationPolicy.Default with { BindingMismatchRevokes = false } }, TestKeys.Ring, time);
        await ProduceEveryOutcomeAsync(engine, time);

        Assert.Equal(Expected, meter.Counted());
        Assert.Equal(Expected, meter.Timed());
    }

    [Fact]
    public async Task A_store_that_answers_later_is_counted_alike()
    {
        using var meter = new Measurements();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
        var engine = new RefreshTokenEngine(LateStore(), new RotationEngineOptions { DefaultPolicy = RotationPolicy.Default with { BindingMismatchRevokes = false } }, TestKeys.Ring, time);
        await ProduceEveryOutcomeAsync(engine, time);

        Assert.Equal(Expected, meter.Counted());
        Assert.Equal(Expected, meter.Timed());
    }

    [Fact]
    public async Task With_only_the_duration_listened_to_rotations_are_still_timed()
    {
        using var meter = new Measurements(counter: false);
        var engine = new RefreshTokenEngine(new InMemoryFamilyStore(), new RotationEngineOptions(), TestKeys.Ring);
        var issued = await engine.IssueAsync("alice", "web");

        await engine.RotateAsync(issued.Token, "web");

        Assert.Empty(meter.Counted());
        Assert.Equal(["Rotated"], meter.Timed());
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task A_store_fault_is_counted_and_timed_as_StoreFault(bool late, bool traced)
    {
        using var meter = new Measurements();
        using var tracing = traced ? new Tracing() : null;
        var healthy = new RefreshTokenEngine(new InMemoryFamilyStore(), new RotationEngineOptions(), TestKeys.Ring);
        var token = (await healthy.IssueAsync("alice", "web")).Token;
        meter.Clear();
        var engine = new RefreshTokenEngine(new FaultInjectingFamilyStore(new InMemoryFamilyStore()) { IsDown = true, Latency = late ? Late : TimeSpan.Zero }, new RotationEngineOptions(), TestKeys.Ring);

        await Assert.ThrowsAsync<RotationStoreException>(async () => await engine.RotateAsync(token, "web"));

        Assert.Equal(["StoreFault"], meter.Counted());
        Assert.Equal(["StoreFault"], meter.Timed());
        if (tracing is not null)
        {
            var activity = Assert.Single(tracing.Stopped);
            Assert.Null(activity.GetTagItem("rotation_engine.outcome"));
        }
    }

    [Fact]
    public async Task A_traced_rotation_is_counted_once_and_tagged_with_its_outcome()
    {
        using var meter = new Measurements();
        using var tracing = new Tracing();
        var engine = new RefreshTokenEngine(new InMemoryFamilyStore(), new RotationEngineOptions(), TestKeys.Ring);
        var issued = await engine.IssueAsync("alice", "web");

        await engine.RotateAsync(issued.Token, "web");
        await engine.RotateAsync("garbage", "web");

        Assert.Equal(["Rotated", "Invalid"], meter.Counted());
        Assert.Equal(["Rotated", "Invalid"], meter.Timed());
        Assert.Equal(["Rotated", "Invalid"], tracing.Stopped.Select(a => a.GetTagItem("rotation_engine.outcome")));
        Assert.All(tracing.Stopped, a => Assert.Equal("rotation_engine.rotate", a.OperationName));
    }

    [Fact]
    public async Task A_traced_rotation_rotates_as_an_untraced_one_does()
    {
        using var tracing = new Tracing();
        var store = new InMemoryFamilyStore();
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions(), TestKeys.Ring);
        var issued = await engine.IssueAsync("alice", "web");

        var rotated = await engine.RotateAsync(issued.Token, "web");

        Assert.Equal(RotationOutcome.Rotated, rotated.Outcome);
        Assert.NotNull(rotated.Token);
        Assert.Equal(1, (await store.FindAsync(issued.FamilyId))!.Generation);
        Assert.Equal(RotationOutcome.Rotated, (await engine.RotateAsync(rotated.Token, "web")).Outcome);
        Assert.Equal(2, tracing.Stopped.Count);
    }

    [Fact]
    public async Task A_traced_rotation_waiting_on_the_store_does_not_resume_on_the_callers_context()
    {
        using var tracing = new Tracing();
        var store = new DeferredStore(new InMemoryFamilyStore());
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions(), TestKeys.Ring);
        var issued = await engine.IssueAsync("alice", "web");
        store.Defer = (operation, _) => operation == "Rotate";

        var (answer, posts) = await SynchronizationContextTests.OnCountingContext(() => engine.RotateAsync(issued.Token, "web"), store);

        Assert.Equal(RotationOutcome.Rotated, answer.Outcome);
        Assert.Equal(0, posts);
        Assert.Equal("Rotated", Assert.Single(tracing.Stopped).GetTagItem("rotation_engine.outcome"));
    }

    [Fact]
    public async Task Inspection_is_neither_counted_nor_traced()
    {
        using var meter = new Measurements();
        using var tracing = new Tracing();
        var engine = new RefreshTokenEngine(new InMemoryFamilyStore(), new RotationEngineOptions(), TestKeys.Ring);
        var issued = await engine.IssueAsync("alice", "web");

        await engine.InspectAsync(issued.Token);

        Assert.Empty(meter.Counted());
        Assert.Empty(tracing.Stopped);
    }

    [Fact]
    public void The_instruments_publish_their_units_and_descriptions()
    {
        // Exporters (OpenTelemetry, dotnet-counters) show and convert by these: "ms" is what dashboards scale from, and
        // "{rotation}" is the UCUM annotation of a count.
        _ = Telemetry.MetricsEnabled;
        var published = new Dictionary<string, (string? Unit, string? Description)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == RotationEngineTelemetry.MeterName)
                {
                    lock (published)
                    {
                        published[instrument.Name] = (instrument.Unit, instrument.Description);
                    }
                }
            },
        };
        listener.Start();

        lock (published)
        {
            Assert.Equal(("{rotation}", "Rotations by outcome."), published["rotation_engine.rotations"]);
            Assert.Equal(("ms", "Time to answer a rotation, store included."), published["rotation_engine.rotation.duration"]);
        }
    }

    private static readonly string[] Expected = ["Rotated", "GraceReplay", "ReuseDetected", "Revoked", "Expired", "BindingMismatch", "Invalid"];

    /// <summary>One rotation of each outcome, in the order of <see cref="Expected"/> (the engine's clock is
    /// <paramref name="time"/>).</summary>
    private static async Task ProduceEveryOutcomeAsync(RefreshTokenEngine engine, FakeTimeProvider time)
    {
        var issued = await engine.IssueAsync("alice", "web");
        var rotated = await engine.RotateAsync(issued.Token, "web");
        await engine.RotateAsync(issued.Token, "web");
        time.Advance(TimeSpan.FromSeconds(11));
        await engine.RotateAsync(issued.Token, "web");
        await engine.RotateAsync(rotated.Token, "web");
        var idle = await engine.IssueAsync("bob", "web");
        time.Advance(TimeSpan.FromDays(15));
        await engine.RotateAsync(idle.Token, "web");
        var bound = await engine.IssueAsync("carol", "web", binding: "jkt");
        await engine.RotateAsync(bound.Token, "web", "other");
        await engine.RotateAsync("garbage", "web");
    }

    /// <summary>Records the outcome tag of each measurement of the engine's two instruments, in order.</summary>
    private sealed class Measurements : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<(string Instrument, string Outcome)> _seen = [];

        public Measurements(bool counter = true)
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == RotationEngineTelemetry.MeterName
                    && (instrument.Name == "rotation_engine.rotation.duration" || (counter && instrument.Name == "rotation_engine.rotations")))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, tags, value == 1));
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, tags, value >= 0));
            _listener.Start();
        }

        public IReadOnlyList<string> Counted() => Of("rotation_engine.rotations");

        public IReadOnlyList<string> Timed() => Of("rotation_engine.rotation.duration");

        public void Clear()
        {
            lock (_seen)
            {
                _seen.Clear();
            }
        }

        public void Dispose() => _listener.Dispose();

        private IReadOnlyList<string> Of(string instrument)
        {
            lock (_seen)
            {
                return _seen.Where(s => s.Instrument == instrument).Select(s => s.Outcome).ToList();
            }
        }

        private void Add(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags, bool plausible)
        {
            Assert.True(plausible, $"{instrument.Name}: an implausible value");
            Assert.Equal(1, tags.Length);
            Assert.Equal("outcome", tags[0].Key);
            lock (_seen)
            {
                _seen.Add((instrument.Name, (string)tags[0].Value!));
            }
        }
    }

    /// <summary>Listens to the engine's activity source and keeps every stopped activity.</summary>
    private sealed class Tracing : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly List<Activity> _stopped = [];

        public Tracing()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == RotationEngineTelemetry.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    lock (_stopped)
                    {
                        _stopped.Add(activity);
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IReadOnlyList<Activity> Stopped
        {
            get
            {
                lock (_stopped)
                {
                    return _stopped.ToList();
                }
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    private static readonly TimeSpan Late = TimeSpan.FromMilliseconds(1);

    /// <summary>The in-memory store, answering every call later (asynchronously).</summary>
    private static FaultInjectingFamilyStore LateStore() => new(new InMemoryFamilyStore()) { Latency = Late };
}
