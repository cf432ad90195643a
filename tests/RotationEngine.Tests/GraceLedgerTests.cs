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
}
