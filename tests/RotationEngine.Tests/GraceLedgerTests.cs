using RotationEngine.Storage;

namespace RotationEngine.Tests;

public sealed class GraceLedgerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static byte[] Piece(int n) => Enumerable.Repeat((byte)n, GraceLedger.DigestPieceSize).ToArray();

    [Fact]
    public void Shift_keeps_depth_slots_newest_first()
    {
        var ledger = "";
        for (var i = 0; i < 5; i++)
        {
            ledger = GraceLedger.Shift(GraceLedger.NewSlot(T0.AddSeconds(i), Piece(i)), ledger, graceDepth: 2);
        }

        Assert.Equal(2, GraceLedger.Count(ledger));
        Assert.Equal(GraceLedger.CapacityFor(2), ledger.Length);
        var piece = new byte[GraceLedger.DigestPieceSize];
        Assert.True(GraceLedger.TryRead(ledger, 0, out var newest, out var replays, piece));
        Assert.Equal(T0.AddSeconds(4), newest);
        Assert.Equal(0, replays);
        Assert.Equal(Piece(4), piece);
        Assert.True(GraceLedger.TryRead(ledger, 1, out var oldest, out _));
        Assert.Equal(T0.AddSeconds(3), oldest);
        Assert.False(GraceLedger.TryRead(ledger, 2, out _, out _));
        Assert.False(GraceLedger.TryRead(ledger, -1, out _, out _));
        Assert.True(GraceLedger.IsWellFormed(ledger, 2));
        Assert.False(GraceLedger.IsWellFormed(ledger, 1));
    }

    [Fact]
    public void A_slot_is_replaced_in_place_and_replays_saturate()
    {
        var ledger = GraceLedger.Shift(GraceLedger.NewSlot(T0, Piece(1)), GraceLedger.NewSlot(T0.AddSeconds(-1), Piece(2)), 2);
        ledger = GraceLedger.WithSlot(ledger, 1, GraceLedger.Slot(T0.AddSeconds(-1), 2, Piece(9)));

        var piece = new byte[GraceLedger.DigestPieceSize];
        Assert.True(GraceLedger.TryRead(ledger, 0, out _, out var first, piece));
        Assert.Equal(0, first);
        Assert.Equal(Piece(1), piece);
        Assert.True(GraceLedger.TryRead(ledger, 1, out var retired, out var second, piece));
        Assert.Equal((2, T0.AddSeconds(-1)), (second, retired));
        Assert.Equal(Piece(9), piece);
        Assert.True(GraceLedger.TryRead(GraceLedger.Slot(T0, ushort.MaxValue + 5, Piece(0)), 0, out _, out var saturated));
        Assert.Equal(ushort.MaxValue, saturated);
        Assert.Throws<ArgumentOutOfRangeException>(() => GraceLedger.WithSlot(ledger, 5, GraceLedger.Slot(T0, 1, Piece(0))));
        Assert.Throws<ArgumentOutOfRangeException>(() => GraceLedger.WithSlot(ledger, 0, "short"));
    }

    [Theory]
    [InlineData("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz")]
    [InlineData("")]
    [InlineData("0000000000000000000000000000000")]
    [InlineData("000000000000000000000000000000000")]
    [InlineData("0000000000000000000000000000000g")]
    [InlineData("00000000000a00000000000000000000")]
    [InlineData("FFFFFFFFFFFF00000000000000000000")]
    public void Garbage_ledgers_read_as_unknown(string ledger)
    {
        Assert.False(GraceLedger.TryRead(ledger, 0, out _, out _) && GraceLedger.IsWellFormed(ledger, 8));
    }

    [Fact]
    public void Missing_arguments_are_argument_null_errors_naming_the_parameter()
    {
        var slot = GraceLedger.NewSlot(T0, Piece(1));
        Assert.Equal("slot", Assert.Throws<ArgumentNullException>(() => GraceLedger.Shift(null!, "", 1)).ParamName);
        Assert.Equal("ledger", Assert.Throws<ArgumentNullException>(() => GraceLedger.Shift(slot, null!, 1)).ParamName);
        Assert.Equal("ledger", Assert.Throws<ArgumentNullException>(() => GraceLedger.Count(null!)).ParamName);
        Assert.Equal("ledger", Assert.Throws<ArgumentNullException>(() => GraceLedger.TryRead(null!, 0, out _, out _)).ParamName);
        Assert.Equal("ledger", Assert.Throws<ArgumentNullException>(() => GraceLedger.WithSlot(null!, 0, slot)).ParamName);
        Assert.Equal("slot", Assert.Throws<ArgumentNullException>(() => GraceLedger.WithSlot(slot, 0, null!)).ParamName);
    }

    [Theory]
    [InlineData(-1, 2)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(5, 2)]
    public void Replacing_a_slot_the_ledger_lacks_is_refused_before_any_copy(int index, int slots)
    {
        var ledger = string.Concat(Enumerable.Range(0, slots).Select(i => GraceLedger.NewSlot(T0.AddSeconds(i), Piece(i))));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => GraceLedger.WithSlot(ledger, index, GraceLedger.Slot(T0, 1, Piece(7))));

        Assert.Equal("index", error.ParamName);
        Assert.Equal(index, error.ActualValue);
        Assert.StartsWith("The ledger has no such slot.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_last_slot_of_a_ledger_can_be_replaced()
    {
        var ledger = GraceLedger.Shift(GraceLedger.NewSlot(T0, Piece(1)), GraceLedger.NewSlot(T0.AddSeconds(-1), Piece(2)), 2);
        var replacement = GraceLedger.Slot(T0.AddSeconds(-1), 3, Piece(8));

        Assert.Equal(ledger[..GraceLedger.SlotLength] + replacement, GraceLedger.WithSlot(ledger, 1, replacement));
        Assert.Equal(replacement + ledger[GraceLedger.SlotLength..], GraceLedger.WithSlot(ledger, 0, replacement));
    }

    [Fact]
    public void Retirement_times_read_back_from_the_Unix_epoch_to_the_last_millisecond_DateTimeOffset_holds()
    {
        var latest = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.MaxValue.ToUnixTimeMilliseconds());
        foreach (var time in new[] { DateTimeOffset.UnixEpoch, latest })
        {
            Assert.True(GraceLedger.TryRead(GraceLedger.Slot(time, 4, Piece(3)), 0, out var read, out var replays));
            Assert.Equal((time, 4), (read, replays));
        }

        // Golden slots (the stored format): 12 hex digits of Unix ms, 4 of replays, 16 of check value.
        Assert.Equal("000000000000" + "0004" + "0303030303030303", GraceLedger.Slot(DateTimeOffset.UnixEpoch, 4, Piece(3)));
        Assert.Equal("E677D21FDBFF" + "0004" + "0303030303030303", GraceLedger.Slot(latest, 4, Piece(3)));

        // One millisecond past what DateTimeOffset holds is refused, not thrown.
        Assert.False(GraceLedger.TryRead("E677D21FDC00" + "0000" + "0000000000000000", 0, out _, out _));
    }

    [Theory]
    [InlineData("zzzzzzzzzzzz" + "0000" + "0000000000000000")]
    [InlineData("-00000000001" + "0000" + "0000000000000000")]
    [InlineData("000000000000" + "zzzz" + "0000000000000000")]
    [InlineData("000000000000" + "0000" + "000000000000000z")]
    public void A_slot_with_any_unreadable_part_reads_as_unknown(string slot)
    {
        Assert.False(GraceLedger.TryRead(slot, 0, out var retiredAt, out _));
        Assert.Equal(default, retiredAt);
    }
}
