using RotationEngine.Storage;

namespace RotationEngine.Tests;

/// <summary>
/// The engine never resumes on its caller's <see cref="SynchronizationContext"/> (every await is
/// <c>ConfigureAwait(false)</c>): a host that blocks on a call from a single-threaded context (a UI thread, classic
/// ASP.NET) does not deadlock, and a slow store does not hop back onto that context. Each scenario makes the call
/// under test wait on the store while the context is installed, so that the await right after it is the one
/// observed; the context counts every continuation posted to it.
/// </summary>
public sealed class SynchronizationContextTests
{
    [Theory]
    [MemberData(nameof(StoreCallScenario.Names), MemberType = typeof(StoreCallScenario))]
    public async Task A_slow_store_call_does_not_resume_on_the_callers_context(string scenarioName)
    {
        var scenario = await StoreCallScenario.PrepareAsync(scenarioName);
        scenario.Store.Defer = (operation, call) => operation == scenario.Operation && call == scenario.Call;

        var (answer, posts) = await OnCountingContext(scenario.Start, scenario.Store);

        Assert.Equal(scenario.Expected, answer);
        Assert.Equal(0, posts);
        if (scenario.Expected == nameof(RotationOutcome.ReuseDetected))
        {
            // The reuse was acted on, not only classified: the family is revoked and the event published.
            var family = await scenario.Scripted.Inner.FindAsync(scenario.Family!.Value);
            Assert.Equal((FamilyStatus.Revoked, RevocationReason.ReuseDetected), (family!.Status, family.RevocationReason));
            Assert.Contains(scenario.Events.Events, e => e.Kind == Events.RotationEventKind.ReuseDetected);
        }
    }

    /// <summary>Starts <paramref name="start"/> with a counting context installed, checks that it is waiting on the
    /// store (not answered synchronously), then lets the store answer and awaits the call off that context.</summary>
    internal static async Task<(T Answer, int Posts)> OnCountingContext<T>(Func<ValueTask<T>> start, DeferredStore store)
    {
        var context = new CountingContext();
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(context);
        ValueTask<T> pending;
        try
        {
            pending = start();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        Assert.False(pending.IsCompleted, "The call completed before the store answered.");
        store.Release();
        var answer = await pending;
        return (answer, context.Posts);
    }

    private sealed class CountingContext : SynchronizationContext
    {
        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            ThreadPool.QueueUserWorkItem(_ =>
            {
                SetSynchronizationContext(this);
                d(state);
            });
        }

        public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException();
    }
}
