using System.Globalization;

namespace RotationEngine.Storage;

/// <summary>
/// The grace ledger of a family: for its last <c>GraceDepth</c> retired generations, newest first, when each was
/// retired, how often it has replayed, and an 8-byte check value. It is ASCII text of fixed-width slots, so that every
/// store can shift it inside its single rotation statement without parsing it:
/// <c>ledger = first GraceDepth × SlotLength characters of (slot + ledger)</c>.
/// </summary>
/// <remarks>A slot is 12 hexadecimal digits of the retirement time in Unix milliseconds, 4 of the replay count
/// (saturating at 65,535) and 16 of the check value: the first 8 bytes of the digest of the generation that replaced
/// the retired one while it has not replayed, then a MAC of the slot that the engine writes with each counted replay.
/// Either lets the engine check, while it walks the chain for a grace replay, that the slot is one it wrote
/// (docs/security.md). Stores treat the text as opaque.</remarks>
public static class GraceLedger
{
    /// <summary>The length of one slot in characters.</summary>
    public const int SlotLength = 32;

    /// <summary>How many bytes a slot's check value has.</summary>
    public const int DigestPieceSize = 8;

    private const int TimeDigits = 12;
    private const int ReplayDigits = 4;

    /// <summary>The number of characters a ledger keeps for <paramref name="graceDepth"/>.</summary>
    public static int CapacityFor(int graceDepth) => graceDepth * SlotLength;

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

    /// <summary>The slot recording a retirement at <paramref name="retiredAt"/>, with no replays yet, by the
    /// generation whose digest is <paramref name="successorDigest"/>.</summary>
    public static string NewSlot(DateTimeOffset retiredAt, ReadOnlySpan<byte> successorDigest) =>
        Format(retiredAt.ToUnixTimeMilliseconds(), 0, successorDigest[..DigestPieceSize]);

    /// <summary>The number of slots in <paramref name="ledger"/>.</summary>
    public static int Count(string ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        return ledger.Length / SlotLength;
    }

    /// <summary>Whether <paramref name="ledger"/> is what the engine writes for <paramref name="graceDepth"/>: whole
    /// slots of hexadecimal digits, at most <paramref name="graceDepth"/> of them.</summary>
    public static bool IsWellFormed(string? ledger, int graceDepth) =>
        ledger is not null
        && ledger.Length % SlotLength == 0
        && ledger.Length <= CapacityFor(graceDepth)
        && !ledger.AsSpan().ContainsAnyExcept("0123456789ABCDEF");

    /// <summary>Reads slot <paramref name="index"/> (0 = the generation retired last).</summary>
    public static bool TryRead(string ledger, int index, out DateTimeOffset retiredAt, out int replays)
    {
        Span<byte> piece = stackalloc byte[DigestPieceSize];
        return TryRead(ledger, index, out retiredAt, out replays, piece);
    }

    /// <summary>Reads slot <paramref name="index"/> with its check value.</summary>
    public static bool TryRead(string ledger, int index, out DateTimeOffset retiredAt, out int replays, Span<byte> digestPiece)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        retiredAt = default;
        replays = 0;
        if (index < 0 || (index + 1) * SlotLength > ledger.Length)
        {
            return false;
        }

        var slot = ledger.AsSpan(index * SlotLength, SlotLength);
        if (!long.TryParse(slot[..TimeDigits], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var ms)
            || ms < 0 || ms > TimeLimit
            || !int.TryParse(slot.Slice(TimeDigits, ReplayDigits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out replays)
            || Convert.FromHexString(slot[(TimeDigits + ReplayDigits)..], digestPiece, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != DigestPieceSize)
        {
            return false;
        }

        retiredAt = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        return true;
    }

    /// <summary>The slot recording a retirement at <paramref name="retiredAt"/> with <paramref name="replays"/> replays
    /// and the check value <paramref name="check"/>.</summary>
    public static string Slot(DateTimeOffset retiredAt, int replays, ReadOnlySpan<byte> check) =>
        Format(retiredAt.ToUnixTimeMilliseconds(), Math.Clamp(replays, 0, ushort.MaxValue), check[..DigestPieceSize]);

    /// <summary>The ledger with slot <paramref name="index"/> replaced by <paramref name="slot"/>.</summary>
    public static string WithSlot(string ledger, int index, string slot)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(slot);
        if (index < 0 || (index + 1) * SlotLength > ledger.Length || slot.Length != SlotLength)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, "The ledger has no such slot.");
        }

        return string.Concat(ledger.AsSpan(0, index * SlotLength), slot, ledger.AsSpan((index + 1) * SlotLength));
    }

    // The latest time DateTimeOffset holds, in Unix ms (12 hex digits hold more).
    private const long TimeLimit = 253_402_300_799_999;

    private static string Format(long unixMilliseconds, int replays, ReadOnlySpan<byte> piece)
    {
        Span<char> chars = stackalloc char[SlotLength];
        unixMilliseconds.TryFormat(chars[..TimeDigits], out _, "X12", CultureInfo.InvariantCulture);
        replays.TryFormat(chars.Slice(TimeDigits, ReplayDigits), out _, "X4", CultureInfo.InvariantCulture);
        Convert.TryToHexString(piece, chars[(TimeDigits + ReplayDigits)..], out _);
        return new string(chars);
    }
}
