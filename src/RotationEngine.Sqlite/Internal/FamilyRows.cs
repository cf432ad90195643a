using System.Data.Common;
using RotationEngine.Storage;

namespace RotationEngine.Sqlite.Internal;

/// <summary>Maps between <see cref="FamilyRecord"/> and a row of <c>families</c> (columns in <see cref="Sql.Columns"/> order).</summary>
internal static class FamilyRows
{
    /// <summary>Reads the row the reader is on.</summary>
    public static FamilyRecord Read(DbDataReader reader)
    {
        var createdAt = reader.GetInt64(6);
        var familyExpiresAt = reader.GetInt64(7);
        return new FamilyRecord
        {
            Id = FamilyId.FromBytes(reader.GetFieldValue<byte[]>(0)),
            Subject = reader.GetString(1),
            ClientId = reader.GetString(2),
            Binding = reader.IsDBNull(3) ? null : reader.GetString(3),
            KeyId = reader.GetString(4),
            Metadata = reader.IsDBNull(5) ? null : reader.GetString(5),
            CreatedAt = Time(createdAt),
            FamilyExpiresAt = Time(familyExpiresAt),
            TokenExpiresAt = Time(reader.GetInt64(8)),
            Generation = reader.GetInt32(9),
            Digest = reader.GetFieldValue<byte[]>(10),
            Ledger = reader.GetString(11),
            Status = (FamilyStatus)reader.GetInt32(12),
            RevokedAt = reader.IsDBNull(13) ? null : Time(reader.GetInt64(13)),
            RevocationReason = reader.IsDBNull(14) ? null : (RevocationReason)reader.GetInt32(14),
            Policy = new RotationPolicy
            {
                TokenLifetime = TimeSpan.FromMilliseconds(reader.GetInt64(15)),
                FamilyLifetime = TimeSpan.FromMilliseconds(familyExpiresAt - createdAt),
                GraceWindow = TimeSpan.FromMilliseconds(reader.GetInt64(16)),
                GraceDepth = reader.GetInt32(17),
                GraceMaxReplays = reader.IsDBNull(18) ? null : reader.GetInt32(18),
                BindingMismatchRevokes = reader.GetInt64(19) != 0,
                MaxGenerations = reader.GetInt32(20),
            },
        };
    }

    /// <summary>The parameters of <see cref="Sql.Insert"/>, for Dapper.</summary>
    public static object InsertParameters(FamilyRecord family)
    {
        var policy = family.Policy ?? throw new ArgumentException("The family has no policy.", nameof(family));
        return new
        {
            id = family.Id.ToByteArray(),
            subject = family.Subject,
            client_id = family.ClientId,
            binding = family.Binding,
            key_id = family.KeyId,
            metadata = family.Metadata,
            created_at = Millis(family.CreatedAt),
            family_expires_at = Millis(family.FamilyExpiresAt),
            token_expires_at = Millis(family.TokenExpiresAt),
            generation = family.Generation,
            digest = family.Digest,
            ledger = family.Ledger,
            status = (int)family.Status,
            revoked_at = family.RevokedAt is { } revokedAt ? Millis(revokedAt) : (long?)null,
            reason = family.RevocationReason is { } reason ? (int)reason : (int?)null,
            token_lifetime_ms = Millis(policy.TokenLifetime),
            grace_window_ms = Millis(policy.GraceWindow),
            grace_depth = policy.GraceDepth,
            grace_max_replays = policy.GraceMaxReplays,
            binding_mismatch_revokes = policy.BindingMismatchRevokes ? 1 : 0,
            max_generations = policy.MaxGenerations,
        };
    }

    public static long Millis(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static long Millis(TimeSpan duration) => duration.Ticks / TimeSpan.TicksPerMillisecond;

    private static DateTimeOffset Time(long unixMilliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds);
}
