using RotationEngine.Storage;

namespace RotationEngine.Tests;

public sealed class GraceLedgerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Shift_keeps_depth_plus_one_slots_newest_first()
    {
        var ledger = "";
        for (var i = 0; i < 5; i++)
        {
            ledger = GraceLedger.Shift(GraceLedger.NewSlot(T0.AddSeconds(i)), ledger, graceDepth: 2);
        }

        Assert.Equal(3, GraceLedger.Count(ledger));
        Assert.True(GraceLedger.TryRead(ledger, 0, out var newest, out var replays));
        Assert.Equal(T0.AddSeconds(4), newest);
        Assert.Equal(0, replays);
        Assert.True(GraceLedger.TryRead(ledger, 2, out var oldest, out _));
        Assert.Equal(T0.AddSeconds(2), oldest);
        Assert.False(GraceLedger.TryRead(ledger, 3, out _, out _));
        Assert.False(GraceLedger.TryRead(ledger, -1, out _, out _));
    }

    [Fact]
    public void Replays_count_per_slot_and_saturate()
    {
        var ledger = GraceLedger.Shift(GraceLedger.NewSlot(T0), GraceLedger.NewSlot(T0.AddSeconds(-1)), 1);
        ledger = GraceLedger.WithReplay(ledger, 1);
        ledger = GraceLedger.WithReplay(ledger, 1);

        Assert.True(GraceLedger.TryRead(ledger, 0, out _, out var first));
        Assert.True(GraceLedger.TryRead(ledger, 1, out var retired, out var second));
        Assert.Equal(0, first);
        Assert.Equal(2, second);
        Assert.Equal(T0.AddSeconds(-1), retired);

        for (var i = 0; i < ushort.MaxValue + 5; i++)
        {
            ledger = GraceLedger.WithReplay(ledger, 0);
        }

        Assert.True(GraceLedger.TryRead(ledger, 0, out _, out var saturated));
        Assert.Equal(ushort.MaxValue, saturated);
        Assert.Throws<ArgumentOutOfRangeException>(() => GraceLedger.WithReplay(ledger, 5));
    }

    [Fact]
    public void Garbage_ledgers_read_as_unknown()
    {
        Assert.False(GraceLedger.TryRead("zzzzzzzzzzzzzzzz", 0, out _, out _));
        Assert.False(GraceLedger.TryRead("", 0, out _, out _));
    }
}
