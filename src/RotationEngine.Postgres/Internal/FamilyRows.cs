using Npgsql;
using RotationEngine.Storage;

namespace RotationEngine.Postgres.Internal;

/// <summary>Reads a family row in the column order of <see cref="PostgresSql"/>.</summary>
internal static class FamilyRows
{
    public static FamilyRecord Read(NpgsqlDataReader reader) => new()
    {
        Id = new FamilyId(reader.GetGuid(0)),
        Subject = reader.GetString(1),
        ClientId = reader.GetString(2),
        Binding = reader.IsDBNull(3) ? null : reader.GetString(3),
        KeyId = reader.GetString(4),
        Metadata = reader.IsDBNull(5) ? null : reader.GetString(5),
        CreatedAt = Time(reader.GetInt64(6)),
        FamilyExpiresAt = Time(reader.GetInt64(7)),
        TokenExpiresAt = Time(reader.GetInt64(8)),
        Generation = reader.GetInt32(9),
        Digest = reader.GetFieldValue<byte[]>(10),
        Ledger = reader.GetString(11),
        Status = (FamilyStatus)reader.GetInt16(12),
        RevokedAt = reader.IsDBNull(13) ? null : Time(reader.GetInt64(13)),
        RevocationReason = reader.IsDBNull(14) ? null : (RevocationReason)reader.GetInt16(14),
        Policy = new RotationPolicy
        {
            TokenLifetime = TimeSpan.FromMilliseconds(reader.GetInt64(15)),
            FamilyLifetime = TimeSpan.FromMilliseconds(reader.GetInt64(16)),
            GraceWindow = TimeSpan.FromMilliseconds(reader.GetInt64(17)),
            GraceDepth = reader.GetInt32(18),
            GraceMaxReplays = reader.IsDBNull(19) ? null : reader.GetInt32(19),
            BindingMismatchRevokes = reader.GetBoolean(20),
            MaxGenerations = reader.GetInt32(21),
        },
    };

    private static DateTimeOffset Time(long unixMilliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds);
}
