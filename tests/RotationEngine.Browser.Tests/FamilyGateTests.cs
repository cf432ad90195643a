using RotationEngine.AspNetCore.Cookies;

namespace RotationEngine.Browser.Tests;

public sealed class FamilyGateTests
{
    private static FamilyId Family(byte b)
    {
        byte[] bytes = new byte[16];
        bytes[0] = b;
        return new FamilyId(new Guid(bytes));
    }

    [Fact]
    public async Task One_holder_per_family_and_no_entry_left_behind()
    {
        var gate = new FamilyGate();
        int holders = 0, most = 0;
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            using FamilyGate.Lease lease = await gate.EnterAsync(Family((byte)(i % 2)), TimeSpan.FromSeconds(30), CancellationToken.None);
            Assert.True(lease.Entered);
            int now = Interlocked.Increment(ref holders);
            InterlockedMax(ref most, now);
            await Task.Yield();
            Interlocked.Decrement(ref holders);
        })));

        Assert.InRange(most, 1, 2);            // two families, one holder each at most
        Assert.Equal(0, gate.Count);
    }

    [Fact]
    public async Task A_wait_past_the_timeout_proceeds_unserialized_and_cleans_up()
    {
        var gate = new FamilyGate();
        FamilyGate.Lease first = await gate.EnterAsync(Family(1), TimeSpan.FromSeconds(1), CancellationToken.None);
        FamilyGate.Lease second = await gate.EnterAsync(Family(1), TimeSpan.Zero, CancellationToken.None);

        Assert.True(first.Entered);
        Assert.False(second.Entered);
        second.Dispose();
        second.Dispose();                      // idempotent
        Assert.Equal(1, gate.Count);
        first.Dispose();
        Assert.Equal(0, gate.Count);
        using FamilyGate.Lease third = await gate.EnterAsync(Family(1), TimeSpan.Zero, CancellationToken.None);
        Assert.True(third.Entered);
    }

    [Fact]
    public async Task A_cancelled_wait_leaves_no_entry()
    {
        var gate = new FamilyGate();
        using (await gate.EnterAsync(Family(1), TimeSpan.FromSeconds(1), CancellationToken.None))
        {
            using var cancel = new CancellationTokenSource();
            ValueTask<FamilyGate.Lease> waiting = gate.EnterAsync(Family(1), TimeSpan.FromSeconds(30), cancel.Token);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await waiting);
        }

        Assert.Equal(0, gate.Count);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
