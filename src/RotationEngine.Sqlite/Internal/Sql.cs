using RotationEngine.Storage;

namespace RotationEngine.Sqlite.Internal;

/// <summary>Every statement of the store. Columns are <see cref="FamilyColumns"/>' names, selected in its canonical
/// order; times are Unix milliseconds; <c>status</c> is <see cref="FamilyStatus"/> (0 active, 1 revoked); the id is a
/// 16-byte BLOB (Microsoft.Data.Sqlite's form of a <see cref="Guid"/> parameter).</summary>
internal static class Sql
{
    /// <summary>The columns of a family, in the order <see cref="FamilyColumns.Read"/> reads them.</summary>
    public static readonly string Columns = FamilyColumns.SelectList;

    /// <summary><see cref="FamilyRecord.PrunableAt"/> in SQL: the earliest of the token expiry, the family expiry and,
    /// once revoked, the revocation time. The index <c>families_by_prune_at</c> is on exactly this expression (SQLite
    /// uses an expression index only for a textually identical expression), so Prune seeks instead of scanning.</summary>
    public const string PruneAt =
        "min(token_expires_at, family_expires_at, CASE WHEN status = 1 THEN ifnull(revoked_at, family_expires_at) ELSE family_expires_at END)";

    /// <summary>The insert: one parameter per column, named <c>@</c> + the column, in the canonical order
    /// (<see cref="FamilyColumns.Values"/>).</summary>
    public static readonly string Insert =
        "INSERT INTO families (" + Columns + ") VALUES ("
        + string.Join(", ", FamilyColumns.All.Select(column => "@" + column)) + ")";

    /// <summary>The rotation: one compare-and-swap statement, <see cref="RotationCommand.Matches"/> as the WHERE clause
    /// and <see cref="RotationCommand.ApplyTo"/> as the SET clause. The idle expiry is checked against the presented
    /// token's authenticated issue time (<c>@issued_at</c>), never the row's <c>token_expires_at</c>. The ledger is
    /// ASCII, so <c>substr</c> counts the same characters as <see cref="GraceLedger.Shift"/>.</summary>
    public static readonly string Rotate =
        "UPDATE families SET generation = generation + 1, digest = @new_digest, token_expires_at = @now + token_lifetime_ms, "
        + "ledger = substr(@slot || ledger, 1, grace_depth * " + GraceLedger.SlotLength + ") "
        + "WHERE id = @id AND generation = @generation AND digest = @expected_digest AND key_id = @key_id "
        + "AND client_id = @client_id AND status = 0 "
        + "AND @now < @issued_at + token_lifetime_ms AND @now < family_expires_at AND generation < max_generations "
        + "AND (binding IS NULL OR binding = @binding) "
        + "RETURNING " + Columns;

    public static readonly string Find = "SELECT " + Columns + " FROM families WHERE id = @id";

    public const string RecordReplay =
        "UPDATE families SET ledger = @new_ledger WHERE id = @id AND status = 0 AND generation = @generation AND ledger = @expected_ledger";

    /// <summary>Revocation also erases the digest (16 zero bytes), so flipping the status back revives no token.</summary>
    public static readonly string Revoke =
        "UPDATE families SET status = 1, revoked_at = @now, revocation_reason = @reason, digest = zeroblob(" + FamilyColumns.DigestSize + ") "
        + "WHERE id = @id AND status = 0";

    public static readonly string RevokeSubject =
        "UPDATE families SET status = 1, revoked_at = @now, revocation_reason = @reason, digest = zeroblob(" + FamilyColumns.DigestSize + ") "
        + "WHERE subject = @subject AND status = 0";

    /// <summary>The subject's live families. The store re-sorts them by <see cref="Guid"/> order after reading: the
    /// BLOB of a <see cref="Guid"/> parameter is little-endian in its first three fields, so SQLite's byte order is not
    /// the order <see cref="Guid.CompareTo(Guid)"/> (and the in-memory store) use for families created in the same
    /// millisecond.</summary>
    public static readonly string ListActive =
        "SELECT " + Columns + " FROM families WHERE subject = @subject AND status = 0 "
        + "AND token_expires_at > @now AND family_expires_at > @now ORDER BY created_at";

    public const string Prune =
        "DELETE FROM families WHERE id IN (SELECT id FROM families WHERE " + PruneAt + " < @cutoff LIMIT @batch)";
}
