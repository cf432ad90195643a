using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using RotationEngine.Storage;

namespace RotationEngine.Testing.Sealing;

/// <summary>One edit a store writer makes to a family's record: which property, and how. <see cref="Apply"/> is
/// deterministic in the record, so a shrunk case replays the same edit.</summary>
internal sealed record RecordEdit(string Name, Func<FamilyRecord, FamilyRecord> Apply)
{
    public override string ToString() => Name;

    /// <summary>Edits of every property: identity (sealed), the changing state (generation, digest, expiry, ledger,
    /// status), and values beyond the engine's limits.</summary>
    public static Gen<RecordEdit> Generator { get; } = Gen.Elements(All());

    private static RecordEdit[] All()
    {
        var edits = new List<RecordEdit>
        {
            new("subject moved to bob", f => f with { Subject = "bob" }),
            new("subject emptied", f => f with { Subject = "" }),
            new("subject with a lone surrogate", f => f with { Subject = f.Subject + "\uDFFF" }),
            new("client moved", f => f with { ClientId = f.ClientId == "web" ? "spa" : "web" }),
            new("client upper-cased", f => f with { ClientId = f.ClientId.ToUpperInvariant() }),
            new("binding removed", f => f with { Binding = null }),
            new("binding set", f => f with { Binding = "device-b" }),
            new("metadata changed", f => f with { Metadata = "scope=admin" }),
            new("metadata removed", f => f with { Metadata = null }),
            new("metadata huge", f => f with { Metadata = new string('m', RefreshTokenEngine.MaxMetadataLength + 1) }),
            new("key id changed", f => f with { KeyId = "k2" }),
            new("created 1 ms later", f => f with { CreatedAt = f.CreatedAt + TimeSpan.FromMilliseconds(1) }),
            new("family expiry 1 ms later", f => f with { FamilyExpiresAt = f.FamilyExpiresAt + TimeSpan.FromMilliseconds(1) }),
            new("family expiry a year later", f => f with { FamilyExpiresAt = f.FamilyExpiresAt + TimeSpan.FromDays(365) }),
            new("token expiry 1 ms later", f => f with { TokenExpiresAt = f.TokenExpiresAt + TimeSpan.FromMilliseconds(1) }),
            new("token expiry 1 ms earlier", f => f with { TokenExpiresAt = f.TokenExpiresAt - TimeSpan.FromMilliseconds(1) }),
            new("token expiry a day later", f => f with { TokenExpiresAt = f.TokenExpiresAt + TimeSpan.FromDays(1) }),
            new("generation + 1", f => f with { Generation = f.Generation + 1 }),
            new("generation - 1", f => f with { Generation = Math.Max(0, f.Generation - 1) }),
            new("generation huge", f => f with { Generation = int.MaxValue }),
            new("digest bit flipped", f => f with { Digest = Flip(f.Digest, 0) }),
            new("digest zeroed", f => f with { Digest = new byte[FamilyColumns.DigestSize] }),
            new("digest truncated", f => f with { Digest = f.Digest[..8] }),
            new("status flipped", f => f with { Status = f.Status == FamilyStatus.Active ? FamilyStatus.Revoked : FamilyStatus.Active, RevokedAt = f.Status == FamilyStatus.Active ? f.CreatedAt : null, RevocationReason = f.Status == FamilyStatus.Active ? RevocationReason.SignOut : null }),
            new("revocation time set", f => f with { RevokedAt = f.CreatedAt }),
            new("revocation reason set", f => f with { RevocationReason = RevocationReason.Compromised }),
            new("ledger emptied", f => f with { Ledger = "" }),
            new("ledger newest slot dropped", f => f with { Ledger = f.Ledger.Length >= GraceLedger.SlotLength ? f.Ledger[GraceLedger.SlotLength..] : f.Ledger }),
            new("ledger slots swapped", f => f with { Ledger = f.Ledger.Length >= 2 * GraceLedger.SlotLength ? f.Ledger[GraceLedger.SlotLength..(2 * GraceLedger.SlotLength)] + f.Ledger[..GraceLedger.SlotLength] + f.Ledger[(2 * GraceLedger.SlotLength)..] : f.Ledger + f.Ledger }),
            new("ledger retirement 1 s later", f => f with { Ledger = ShiftTime(f.Ledger, 1_000) }),
            new("ledger retirement an hour earlier", f => f with { Ledger = ShiftTime(f.Ledger, -3_600_000) }),
            new("ledger replays reset", f => f with { Ledger = SetReplays(f.Ledger, 0) }),
            new("ledger replays raised", f => f with { Ledger = SetReplays(f.Ledger, 7) }),
            new("ledger check bit flipped", f => f with { Ledger = f.Ledger.Length >= GraceLedger.SlotLength ? f.Ledger[..31] + (f.Ledger[31] == '0' ? '1' : '0') + f.Ledger[32..] : f.Ledger }),
            new("ledger garbage", f => f with { Ledger = "'); DROP TABLE families; --]]" }),
            new("ledger lower-case", f => f with { Ledger = f.Ledger.ToLowerInvariant() }),
            new("seal bit flipped", f => f with { Seal = Flip(f.Seal, 3) }),
            new("seal emptied", f => f with { Seal = [] }),
        };

        foreach (var (name, change) in PolicyEdits())
        {
            edits.Add(new($"policy: {name}", f => f with { Policy = change(f.Policy) }));
        }

        return [.. edits];
    }

    private static IEnumerable<(string, Func<PolicySnapshot, PolicySnapshot>)> PolicyEdits()
    {
        yield return ("token lifetime doubled", p => p with { TokenLifetime = p.TokenLifetime * 2 });
        yield return ("grace window an hour", p => p with { GraceWindow = TimeSpan.FromHours(1) });
        yield return ("grace window zero", p => p with { GraceWindow = TimeSpan.Zero });
        yield return ("grace depth 8", p => p with { GraceDepth = 8 });
        yield return ("replays unlimited", p => p with { GraceMaxReplays = null });
        yield return ("replays 1", p => p with { GraceMaxReplays = 1 });
        yield return ("binding mismatch revokes flipped", p => p with { BindingMismatchRevokes = !p.BindingMismatchRevokes });
        yield return ("max generations 1,000,000", p => p with { MaxGenerations = 1_000_000 });
        yield return ("max generations beyond the engine's limit", p => p with { MaxGenerations = int.MaxValue });
        yield return ("grace depth 0", p => p with { GraceDepth = 0 });
    }

    private static byte[] Flip(byte[] bytes, int index)
    {
        var copy = bytes.ToArray();
        if (copy.Length > 0)
        {
            copy[index % copy.Length] ^= 0x40;
        }

        return copy;
    }

    private static string ShiftTime(string ledger, long milliseconds)
    {
        if (!GraceLedger.TryRead(ledger, 0, out var retiredAt, out _))
        {
            return ledger;
        }

        var shifted = Math.Max(0, retiredAt.ToUnixTimeMilliseconds() + milliseconds);
        return shifted.ToString("X12", CultureInfo.InvariantCulture) + ledger[12..];
    }

    private static string SetReplays(string ledger, int replays) =>
        ledger.Length >= GraceLedger.SlotLength ? ledger[..12] + replays.ToString("X4", CultureInfo.InvariantCulture) + ledger[16..] : ledger;
}
