using Microsoft.Extensions.Time.Testing;
using RotationEngine.Storage;
using RotationEngine.Testing.Faults;

namespace RotationEngine.Testing.Tests.Faults;

/// <summary>The kit's fault-injecting store, driven through a real engine on the in-memory store: each fault does what
/// it says to the calls it names, and nothing to the others.</summary>
public sealed class FaultInjectingFamilyStoreTests
{
    private readonly FaultInjectingFamilyStore _store = new(new InMemoryFamilyStore());

    private RefreshTokenEngine Engine() => new(_store, new RotationEngineOptions(), TestKeys.Ring);

    [Fact]
    public async Task FailNext_fails_the_next_calls_of_its_operations_only_and_changes_nothing()
    {
        var engine = Engine();
        var issued = await engine.IssueAsync("alice", "web");
        _store.FailNext(StoreOperations.Create, count: 2);

        for (var i = 0; i < 2; i++)
        {
            var error = await Assert.ThrowsAsync<RotationStoreException>(async () => await engine.IssueAsync("bob", "web"));
            Assert.IsType<TimeoutException>(error.InnerException);
        }

        Assert.Equal(RotationOutcome.Rotated, (await engine.RotateAsync(issued.Token, "web")).Outcome);   // not a Create
        Assert.Empty(await engine.ListFamiliesAsync("bob"));
        await engine.IssueAsync("bob", "web");                                                           // the third Create passes
        Assert.Single(await engine.ListFamiliesAsync("bob"));
    }

    [Fact]
    public async Task LoseNextResponse_lets_the_write_land_then_loses_its_answer_and_waits_for_a_write_that_lands()
    {
        var engine = Engine();
        var issued = await engine.IssueAsync("alice", "web");
        var first = await engine.RotateAsync(issued.Token, "web");
        _store.LoseNextResponse(StoreOperations.Rotate);

        // A retired token: the conditional rotation changes nothing (its answer is kept), the replay is not a rotation.
        Assert.Equal(RotationOutcome.GraceReplay, (await engine.RotateAsync(issued.Token, "web")).Outcome);

        var lost = await Assert.ThrowsAsync<RotationStoreException>(async () => await engine.RotateAsync(first.Token!, "web"));
        Assert.IsType<IOException>(lost.InnerException);
        Assert.Equal(2, (await _store.Inner.FindAsync(issued.FamilyId))!.Generation);                   // it was written
        var retry = await engine.RotateAsync(first.Token!, "web");
        Assert.Equal(RotationOutcome.GraceReplay, retry.Outcome);
        Assert.Equal(2, retry.Generation);
        Assert.Equal(RotationOutcome.Rotated, (await engine.RotateAsync(retry.Token!, "web")).Outcome);   // used up
    }

    [Fact]
    public async Task A_store_that_is_down_fails_every_call_until_healed()
    {
        var engine = Engine();
        var issued = await engine.IssueAsync("alice", "web");
        _store.IsDown = true;

        await Assert.ThrowsAsync<RotationStoreException>(async () => await engine.RotateAsync(issued.Token, "web"));
        await Assert.ThrowsAsync<RotationStoreException>(async () => await engine.ListFamiliesAsync("alice"));
        await Assert.ThrowsAsync<RotationStoreException>(async () => await engine.RevokeSubjectAsync("alice", RevocationReason.SignOut));
        Assert.Equal(0, (await _store.Inner.FindAsync(issued.FamilyId))!.Generation);

        _store.FailNext(StoreOperations.All, count: 5);
        _store.Heal();
        Assert.False(_store.IsDown);
        Assert.Equal(RotationOutcome.Rotated, (await engine.RotateAsync(issued.Token, "web")).Outcome);
    }

    [Fact]
    public async Task HoldNext_keeps_the_next_call_in_flight_until_released_and_tells_its_token()
    {
        var engine = Engine();
        var issued = await engine.IssueAsync("alice", "web");
        using var hold = _store.HoldNext(StoreOperations.Rotate);

        var pending = engine.RotateAsync(issued.Token, "web").AsTask();
        await hold.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(50);
        Assert.False(pending.IsCompleted);
        Assert.Equal(0, (await _store.Inner.FindAsync(issued.FamilyId))!.Generation);               // held before the store
        Assert.False(hold.CallToken.CanBeCanceled);

        hold.Release();
        Assert.Equal(RotationOutcome.Rotated, (await pending.WaitAsync(TimeSpan.FromSeconds(30))).Outcome);
        Assert.Equal(RotationOutcome.Rotated, (await engine.RotateAsync((await pending).Token!, "web")).Outcome);   // only one held
    }

    [Fact]
    public async Task CancellableCalls_names_the_operations_that_got_a_cancellable_token()
    {
        var issued = await Engine().IssueAsync("alice", "web");
        using var cancellation = new CancellationTokenSource();

        await _store.FindAsync(issued.FamilyId);
        Assert.Equal(StoreOperations.None, _store.CancellableCalls);
        await _store.FindAsync(issued.FamilyId, cancellation.Token);
        await _store.ListActiveAsync("alice", DateTimeOffset.UnixEpoch, cancellation.Token);
        Assert.Equal(StoreOperations.Find | StoreOperations.ListActive, _store.CancellableCalls);
    }

    [Fact]
    public async Task Latency_waits_on_the_clock_it_was_given()
    {
        var time = new FakeTimeProvider();
        var store = new FaultInjectingFamilyStore(new InMemoryFamilyStore(), time) { Latency = TimeSpan.FromSeconds(1) };

        var pending = store.FindAsync(FamilyId.New()).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(999));
        await Task.Delay(50);
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(await pending.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
