using System.Data.Common;

namespace RotationEngine.Storage;

/// <summary>
/// The one storage shape of a <see cref="FamilyRecord"/>: the canonical column names, in the canonical order, and the
/// conversions every store uses (times and durations as Unix milliseconds, enums as integers, the policy snapshot as
/// its own columns). SQL stores name their columns exactly so and select them in this order; the Redis store uses the
/// names as hash fields. A store adds only its dialect.
/// </summary>
public static class FamilyColumns
{
#pragma warning disable CS1591 // The names document themselves; FamilyRecord documents what they hold.
    public const string Id = "id";
    public const string Subject = "subject";
    public const string ClientId = "client_id";
    public const string Binding = "binding";
    public const string KeyId = "key_id";
    public const string Metadata = "metadata";
    public const string CreatedAt = "created_at";
    public const string FamilyExpiresAt = "family_expires_at";
    public const string TokenExpiresAt = "token_expires_at";
    public const string Generation = "generation";
    public const string Digest = "digest";
    public const string Ledger = "ledger";
    public const string Status = "status";
    public const string RevokedAt = "revoked_at";
    public const string RevocationReason = "revocation_reason";
    public const string TokenLifetime = "token_lifetime_ms";
    public const string GraceWindow = "grace_window_ms";
    public const string GraceDepth = "grace_depth";
    public const string GraceMaxReplays = "grace_max_replays";
    public const string BindingMismatchRevokes = "binding_mismatch_revokes";
    public const string MaxGenerations = "max_generations";
    public const string Seal = "seal";
#pragma warning restore CS1591

    /// <summary>Every column, in the canonical order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Id, Subject, ClientId, Binding, KeyId, Metadata, CreatedAt, FamilyExpiresAt, TokenExpiresAt, Generation, Digest,
        Ledger, Status, RevokedAt, RevocationReason, TokenLifetime, GraceWindow, GraceDepth, GraceMaxReplays,
        BindingMismatchRevokes, MaxGenerations, Seal,
    ];

    /// <summary>The columns as a SQL select list, in the canonical order.</summary>
    public static string SelectList { get; } = string.Join(", ", All);

    /// <summary>The number of bytes of <see cref="FamilyRecord.Digest"/> and of <see cref="FamilyRecord.Seal"/>.</summary>
    public const int DigestSize = 16;

    /// <summary>A time as Unix milliseconds (the engine keeps whole milliseconds).</summary>
    public static long Milliseconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    /// <summary>A duration as whole milliseconds.</summary>
    public static long Milliseconds(TimeSpan duration) => duration.Ticks / TimeSpan.TicksPerMillisecond;

    /// <summary>Unix milliseconds as a time.</summary>
    public static DateTimeOffset Time(long unixMilliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds);

    /// <summary>The values of <paramref name="family"/> in the canonical order: the id as a <see cref="Guid"/>, times
    /// and durations as <see cref="long"/> milliseconds, the status, reason and numbers as <see cref="int"/>, the flag
    /// as <see cref="bool"/>, digest and seal as <see cref="byte"/> arrays, absent values as null.</summary>
    public static object?[] Values(FamilyRecord family)
    {
        ArgumentNullException.ThrowIfNull(family);
        var policy = family.Policy;
        return
        [
            family.Id.Value, family.Subject, family.ClientId, family.Binding, family.KeyId, family.Metadata,
            Milliseconds(family.CreatedAt), Milliseconds(family.FamilyExpiresAt), Milliseconds(family.TokenExpiresAt),
            family.Generation, family.Digest, family.Ledger, (int)family.Status,
            family.RevokedAt is { } revokedAt ? Milliseconds(revokedAt) : null,
            family.RevocationReason is { } reason ? (int)reason : null,
            Milliseconds(policy.TokenLifetime), Milliseconds(policy.GraceWindow), policy.GraceDepth, policy.GraceMaxReplays,
            policy.BindingMismatchRevokes, policy.MaxGenerations, family.Seal,
        ];
    }

    /// <summary>Reads a family from the current row of <paramref name="reader"/>, whose columns start at
    /// <paramref name="first"/> in the canonical order.</summary>
    /// <exception cref="InvalidCastException">A column holds a value of the wrong kind (the store treats it as a fault).</exception>
    public static FamilyRecord Read(DbDataReader reader, int first = 0)
    {
        ArgumentNullException.ThrowIfNull(reader);
        int At(int column) => first + column;
        string? Text(int column) => reader.IsDBNull(At(column)) ? null : reader.GetString(At(column));
        return new FamilyRecord
        {
            Id = new FamilyId(reader.GetGuid(At(0))),
            Subject = reader.GetString(At(1)),
            ClientId = reader.GetString(At(2)),
            Binding = Text(3),
            KeyId = reader.GetString(At(4)),
            Metadata = Text(5),
            CreatedAt = Time(reader.GetInt64(At(6))),
            FamilyExpiresAt = Time(reader.GetInt64(At(7))),
            TokenExpiresAt = Time(reader.GetInt64(At(8))),
            Generation = reader.GetInt32(At(9)),
            Digest = reader.GetFieldValue<byte[]>(At(10)),
            Ledger = reader.GetString(At(11)),
            Status = (FamilyStatus)reader.GetInt32(At(12)),
            RevokedAt = reader.IsDBNull(At(13)) ? null : Time(reader.GetInt64(At(13))),
            RevocationReason = reader.IsDBNull(At(14)) ? null : (RevocationReason)reader.GetInt32(At(14)),
            Policy = new PolicySnapshot(
                TimeSpan.FromMilliseconds(reader.GetInt64(At(15))),
                TimeSpan.FromMilliseconds(reader.GetInt64(At(16))),
                reader.GetInt32(At(17)),
                reader.IsDBNull(At(18)) ? null : reader.GetInt32(At(18)),
                reader.GetBoolean(At(19)),
                reader.GetInt32(At(20))),
            Seal = reader.GetFieldValue<byte[]>(At(21)),
        };
    }
}
