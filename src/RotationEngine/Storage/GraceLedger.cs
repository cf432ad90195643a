using System.Globalization;

namespace RotationEngine.Storage;

/// <summary>
/// The grace ledger of a family: for the last <c>GraceDepth + 1</c> retired generations, newest first, when
/// each was retired and how often it has replayed. It is ASCII text of fixed-width slots, so that every
/// store can shift it inside its single rotation statement without parsing it:
/// <c>ledger = first (GraceDepth + 1) × SlotLength characters of (slot + ledger)</c>.
/// </summary>
/// <remarks>A slot is 12 hexadecimal digits of the retirement time in Unix milliseconds followed by 4 of the
/// replay count (saturating at 65,535). Stores treat the text as opaque.</remarks>
public static class GraceLedger
{
    /// <summary>The length of one slot in characters.</summary>
    public const int SlotLength = 16;

    private const int TimeDigits = 12;
    private const int ReplayDigits = 4;

    /// <summary>The number of characters a ledger keeps for <paramref name="graceDepth"/>.</summary>
    public static int CapacityFor(int graceDepth) => (graceDepth + 1) * SlotLength;

    /// <summary>The ledger after a rotation: <paramref name="slot"/> prepended, trimmed to capacity.</summary>
    public static string Shift(string slot, string ledger, int graceDepth)
    {
        ArgumentNullException.ThrowIfNull(slot);
        ArgumentNullException.ThrowIfNull(ledger);
        var length = Math.Min(slot.Length + ledger.Length, CapacityFor(graceDepth));
        return string.Create(length, (slot, ledger), static (span, state) =>
        {
            var slotPart = Math.Min(state.slot.Length, span.Length);
            state.slot.AsSpan(0, slotPart).CopyTo(span);
            state.ledger.AsSpan(0, span.Length - slotPart).CopyTo(span[slotPart..]);
        });
    }

    /// <summary>The slot recording a retirement at <paramref name="retiredAt"/> with no replays yet.</summary>
    public static string NewSlot(DateTimeOffset retiredAt) => Format(retiredAt.ToUnixTimeMilliseconds(), 0);

    /// <summary>The number of slots in <paramref name="ledger"/>.</summary>
    public static int Count(string ledger) => ledger.Length / SlotLength;

    /// <summary>Reads slot <paramref name="index"/> (0 = the generation retired last).</summary>
    public static bool TryRead(string ledger, int index, out DateTimeOffset retiredAt, out int replays)
    {
        retiredAt = default;
        replays = 0;
        if (index < 0 || (index + 1) * SlotLength > ledger.Length)
        {
            return false;
        }

        var slot = ledger.AsSpan(index * SlotLength, SlotLength);
        if (!long.TryParse(slot[..TimeDigits], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var ms)
            || !int.TryParse(slot[TimeDigits..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out replays))
        {
            return false;
        }

        retiredAt = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        return true;
    }

    /// <summary>The ledger with one more replay counted in slot <paramref name="index"/>.</summary>
    public static string WithReplay(string ledger, int index)
    {
        if (!TryRead(ledger, index, out var retiredAt, out var replays))
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, "The ledger has no such slot.");
        }

        var slot = Format(retiredAt.ToUnixTimeMilliseconds(), Math.Min(replays + 1, ushort.MaxValue));
        return string.Concat(ledger.AsSpan(0, index * SlotLength), slot, ledger.AsSpan((index + 1) * SlotLength));
    }

    private static string Format(long unixMilliseconds, int replays) =>
        string.Create(SlotLength, (unixMilliseconds, replays), static (span, state) =>
        {
            state.unixMilliseconds.TryFormat(span[..TimeDigits], out _, "X12", CultureInfo.InvariantCulture);
            state.replays.TryFormat(span[TimeDigits..], out _, "X4", CultureInfo.InvariantCulture);
        });
}
