namespace RotationEngine.Sqlite.Internal;

/// <summary>Every statement of the store. Times are Unix milliseconds; <c>status</c> is
/// <see cref="FamilyStatus"/> (0 active, 1 revoked).</summary>
internal static class Sql
{
    /// <summary>The columns of a family, in the order <see cref="FamilyRows"/> reads them.</summary>
    public const string Columns =
        "id, subject, client_id, binding, key_id, metadata, created_at, family_expires_at, token_expires_at, "
        + "generation, digest, ledger, status, revoked_at, reason, token_lifetime_ms, grace_window_ms, grace_depth, "
        + "grace_max_replays, binding_mismatch_revokes, max_generations";

    /// <summary>The time after which a family may be pruned: its earliest expiry, or its revocation time.
    /// The index <c>families_by_prune_at</c> is on exactly this expression, so Prune seeks instead of scanning.</summary>
    public const string PruneAt =
        "min(token_expires_at, family_expires_at, CASE WHEN status = 1 THEN ifnull(revoked_at, family_expires_at) ELSE family_expires_at END)";

    public const string Insert =
        "INSERT INTO families (" + Columns + ") VALUES (@id, @subject, @client_id, @binding, @key_id, @metadata, "
        + "@created_at, @family_expires_at, @token_expires_at, @generation, @digest, @ledger, @status, @revoked_at, @reason, "
        + "@token_lifetime_ms, @grace_window_ms, @grace_depth, @grace_max_replays, @binding_mismatch_revokes, @max_generations)";

    /// <summary>The rotation: one compare-and-swap statement (<see cref="Storage.RotationCommand.Matches"/> as
    /// the WHERE clause, <see cref="Storage.RotationCommand.ApplyTo"/> as the SET clause). The ledger is ASCII,
    /// so <c>substr</c> counts the same characters as <see cref="Storage.GraceLedger.Shift"/>.</summary>
    public static readonly string Rotate =
        "UPDATE families SET generation = generation + 1, digest = @new_digest, token_expires_at = @now + token_lifetime_ms, "
        + "ledger = substr(@slot || ledger, 1, (grace_depth + 1) * " + Storage.GraceLedger.SlotLength + ") "
        + "WHERE id = @id AND generation = @generation AND digest = @expected_digest AND key_id = @key_id AND status = 0 "
        + "AND token_expires_at > @now AND family_expires_at > @now AND generation < max_generations "
        + "AND (binding IS NULL OR binding = @binding) "
        + "RETURNING " + Columns;

    public const string Find = "SELECT " + Columns + " FROM families WHERE id = @id";

    public const string RecordReplay =
        "UPDATE families SET ledger = @new_ledger WHERE id = @id AND status = 0 AND generation = @generation AND ledger = @expected_ledger";

    public const string Revoke =
        "UPDATE families SET status = 1, revoked_at = @now, reason = @reason WHERE id = @id AND status = 0";

    public const string RevokeSubject =
        "UPDATE families SET status = 1, revoked_at = @now, reason = @reason WHERE subject = @subject AND status = 0";

    public const string ListActive =
        "SELECT " + Columns + " FROM families WHERE subject = @subject AND status = 0 "
        + "AND token_expires_at > @now AND family_expires_at > @now ORDER BY created_at, id";

    public const string Prune =
        "DELETE FROM families WHERE id IN (SELECT id FROM families WHERE " + PruneAt + " < @cutoff LIMIT @batch)";
}
