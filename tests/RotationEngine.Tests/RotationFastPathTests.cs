using System.Diagnostics;
using System.Diagnostics.Metrics;
using RotationEngine.Storage;
using RotationEngine.Testing;

namespace RotationEngine.Tests;

/// <summary>
/// RotateAsync answers a store that completes synchronously without async state machines, and skips timing
/// when nothing listens. These tests pin that the shortcut changes nothing observable: the same outcomes from a
/// store that completes asynchronously, faults still wrapped, and tracing and metrics still recorded when
/// something listens.
/// </summary>
public sealed class RotationFastPathTests
{
    [Fact]
    public async Task A_store_that_completes_asynchronously_gives_the_same_outcomes_as_the_in_memory_store()
    {
        foreach (var store in new IFamilyStore[] { new InMemoryFamilyStore(), new YieldingStore(new InMemoryFamilyStore()) })
        {
            var engine = new RefreshTokenEngine(store, new RotationEngineOptions(), TestKeys.Ring);
            var issued = await engine.IssueAsync("fast-path", "web");

            var rotated = await engine.RotateAsync(issued.Token, "web");
            var replayed = await engine.RotateAsync(issued.Token, "web");
            var inspected = await engine.InspectAsync(rotated.Token);
            var next = await engine.RotateAsync(rotated.Token, "web");
            var reused = await engine.RotateAsync(issued.Token, "web");
            var malformed = await engine.RotateAsync("rt2_not-a-token", "web");

            Assert.Equal(RotationOutcome.Rotated, rotated.Outcome);
            Assert.Equal(1, rotated.Generation);
            Assert.Equal(RotationOutcome.GraceReplay, replayed.Outcome);
            Assert.Equal(rotated.Token, replayed.Token);
            Assert.Equal(RotationOutcome.Rotated, inspected.Outcome);
            Assert.Null(inspected.Token);
            Assert.Equal(RotationOutcome.Rotated, next.Outcome);
            Assert.Equal(RotationOutcome.ReuseDetected, reused.Outcome);
            Assert.Equal(RotationOutcome.Invalid, malformed.Outcome);
            Assert.Equal(OutcomeCause.Malformed, malformed.Cause);
        }
    }

    [Fact]
    public async Task A_store_fault_is_a_RotationStoreException_whether_it_completes_synchronously_or_not()
    {
        foreach (var asynchronous in new[] { false, true })
        {
            var engine = new RefreshTokenEngine(new FaultingStore(asynchronous), new RotationEngineOptions(), TestKeys.Ring);
            var healthy = new RefreshTokenEngine(new InMemoryFamilyStore(), new RotationEngineOptions(), TestKeys.Ring);
            var token = (await healthy.IssueAsync("fault", "web")).Token;

            var fault = await Assert.ThrowsAsync<RotationStoreException>(async () => await engine.RotateAsync(token, "web"));

            Assert.IsType<InvalidOperationException>(fault.InnerException);
        }
    }

    [Fact]
    public async Task With_a_listener_each_rotation_is_traced_with_its_outcome_and_the_current_activity_is_restored()
    {
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "RotationEngine",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (stopped)
                {
                    stopped.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var engine = new RefreshTokenEngine(new InMemoryFamilyStore(), new RotationEngineOptions(), TestKeys.Ring);
        var issued = await engine.IssueAsync("traced", "web");
        var before = Activity.Current;

        var result = await engine.RotateAsync(issued.Token, "web");

        Assert.Same(before, Activity.Current);
        lock (stopped)
        {
            var activity = Assert.Single(stopped, a => a.OperationName == "rotation_engine.rotate" && a.GetTagItem("rotation_engine.outcome") is "Rotated");
            Assert.Equal(result.Outcome.ToString(), activity.GetTagItem("rotation_engine.outcome"));
        }
    }

    [Fact]
    public async Task With_a_metrics_listener_each_rotation_records_its_duration()
    {
        var durations = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "RotationEngine" && instrument.Name == "rotation_engine.rotation.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome" && tag.Value is "Rotated")
                {
                    lock (durations)
                    {
                        durations.Add(value);
                    }
                }
            }
        });
        listener.Start();
        var engine = new RefreshTokenEngine(new YieldingStore(new InMemoryFamilyStore()), new RotationEngineOptions(), TestKeys.Ring);
        var token = (await engine.IssueAsync("timed", "web")).Token;

        for (var i = 0; i < 3; i++)
        {
            token = (await engine.RotateAsync(token, "web")).Token!;
        }

        lock (durations)
        {
            Assert.True(durations.Count >= 3);
            Assert.All(durations, d => Assert.InRange(d, 0, 60_000));
        }
    }

    /// <summary>The in-memory store behind a yield: every call completes asynchronously.</summary>
    private sealed class YieldingStore(IFamilyStore inner) : IFamilyStore
    {
        public async ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            await inner.CreateAsync(family, cancellationToken);
        }

        public async ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return await inner.TryRotateAsync(command, cancellationToken);
        }

        public async ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return await inner.FindAsync(id, cancellationToken);
        }

        public async ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return await inner.TryRecordReplayAsync(id, generation, expectedLedger, newLedger, cancellationToken);
        }

        public async ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return await inner.TryRevokeAsync(id, reason, now, cancellationToken);
        }

        public async ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return await inner.RevokeSubjectAsync(subject, reason, now, cancellationToken);
        }

        public async ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return await inner.ListActiveAsync(subject, now, cancellationToken);
        }

        public async ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return await inner.PruneAsync(cutoff, batchSize, cancellationToken);
        }
    }

    /// <summary>A store whose rotation fails, at once (a faulted completed task) or after a yield.</summary>
    private sealed class FaultingStore(bool asynchronous) : IFamilyStore
    {
        public ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public async ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default)
        {
            if (asynchronous)
            {
                await Task.Yield();
            }

            throw new InvalidOperationException("The store is down.");
        }

        public ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default) => ValueTask.FromResult<FamilyRecord?>(null);

        public ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default) => ValueTask.FromResult(false);

        public ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default) => ValueTask.FromResult(false);

        public ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default) => ValueTask.FromResult(0);

        public ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult<IReadOnlyList<FamilyRecord>>([]);

        public ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default) => ValueTask.FromResult(0);
    }
}
