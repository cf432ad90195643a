using RotationEngine.Storage;

namespace RotationEngine.Tests;

/// <summary>Hand-built family records, for tests that talk to a store or a record directly (no engine, no seal check).</summary>
internal static class TestRecords
{
    public static readonly DateTimeOffset Epoch = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>An active family of <paramref name="subject"/> created at <see cref="Epoch"/>: its token lives an hour,
    /// the family a day.</summary>
    public static FamilyRecord New(string subject = "alice", FamilyId? id = null) => new()
    {
        Id = id ?? FamilyId.New(),
        Subject = subject,
        ClientId = "web",
        KeyId = "k1",
        CreatedAt = Epoch,
        FamilyExpiresAt = Epoch + TimeSpan.FromDays(1),
        TokenExpiresAt = Epoch + TimeSpan.FromHours(1),
        Generation = 0,
        Digest = Enumerable.Repeat((byte)0xAB, FamilyColumns.DigestSize).ToArray(),
        Ledger = "",
        Policy = PolicySnapshot.Of(RotationPolicy.Default),
        Seal = Enumerable.Repeat((byte)0xCD, FamilyColumns.DigestSize).ToArray(),
    };

    /// <summary>The family id whose 16 bytes are zero but the last, <paramref name="last"/>: ids that sort alike by
    /// bytes, by <see cref="Guid"/> and by text.</summary>
    public static FamilyId Id(byte last) => FamilyId.FromBytes([.. new byte[FamilyId.Size - 1], last]);
}
