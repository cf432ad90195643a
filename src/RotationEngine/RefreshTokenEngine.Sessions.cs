using RotationEngine.Events;
using RotationEngine.Internal;
using RotationEngine.Storage;

namespace RotationEngine;

// The session operations: revoke a family or a subject, list and find families, prune. Rotation is in
// RefreshTokenEngine.Rotation.cs, issue and revocation by token in RefreshTokenEngine.cs.
public sealed partial class RefreshTokenEngine
{
    /// <summary>Revokes one family (sign-out of one session, an administrator's action).</summary>
    /// <returns>Whether the family was active and is now revoked.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reason"/> is not a defined value.</exception>
    /// <exception cref="RotationStoreException">The store failed.</exception>
    public async ValueTask<bool> RevokeFamilyAsync(FamilyId familyId, RevocationReason reason, CancellationToken cancellationToken = default)
    {
        CheckReason(reason);
        var now = Now();
        var changed = await Call("Revoke", (familyId, reason, now), cancellationToken, static (store, a, ct) => store.TryRevokeAsync(a.familyId, a.reason, a.now, ct)).ConfigureAwait(false);
        if (changed)
        {
            Publish(new RotationEvent { Kind = RotationEventKind.FamilyRevoked, Timestamp = now, FamilyId = familyId, RevocationReason = reason, Count = 1 });
        }

        return changed;
    }

    /// <summary>Revokes every active family of a user (sign out everywhere, password change). A family issued
    /// concurrently is revoked too unless its sign-in completes after this call.</summary>
    /// <returns>How many families were revoked.</returns>
    /// <exception cref="ArgumentException"><paramref name="subject"/> is invalid or <paramref name="reason"/> undefined.</exception>
    /// <exception cref="RotationStoreException">The store failed.</exception>
    public async ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, CancellationToken cancellationToken = default)
    {
        InputRules.CheckText(subject, nameof(subject), MaxSubjectLength);
        CheckReason(reason);
        var now = Now();
        var count = await Call("RevokeSubject", (subject, reason, now), cancellationToken, static (store, a, ct) => store.RevokeSubjectAsync(a.subject, a.reason, a.now, ct)).ConfigureAwait(false);
        if (count > 0)
        {
            Publish(new RotationEvent { Kind = RotationEventKind.FamilyRevoked, Timestamp = now, Subject = subject, RevocationReason = reason, Count = count });
        }

        return count;
    }

    /// <summary>A user's live families: their "active sessions". Records whose seal does not verify are left out
    /// (and reported as suspicious).</summary>
    /// <exception cref="ArgumentException"><paramref name="subject"/> is invalid.</exception>
    /// <exception cref="RotationStoreException">The store failed.</exception>
    public async ValueTask<IReadOnlyList<FamilyInfo>> ListFamiliesAsync(string subject, CancellationToken cancellationToken = default)
    {
        InputRules.CheckText(subject, nameof(subject), MaxSubjectLength);
        var now = Now();
        var families = await Call("ListActive", (subject, now), cancellationToken, static (store, a, ct) => store.ListActiveAsync(a.subject, a.now, ct)).ConfigureAwait(false);
        var live = new List<FamilyInfo>(families.Count);
        foreach (var family in families)
        {
            if (Verified(family, now) is { } info
                && string.Equals(info.Subject, subject, StringComparison.Ordinal)
                && family.Status == FamilyStatus.Active
                && now < family.TokenExpiresAt
                && now < family.FamilyExpiresAt)
            {
                live.Add(info);
            }
        }

        return live;
    }

    /// <summary>One family by id, for the host's session pages and tools: null when the store does not hold it, or
    /// holds a record the engine cannot verify (edited outside the engine, or issued under a key the ring no longer has).</summary>
    /// <exception cref="RotationStoreException">The store failed.</exception>
    public async ValueTask<FamilyInfo?> GetFamilyAsync(FamilyId familyId, CancellationToken cancellationToken = default)
    {
        var family = await Call("Find", familyId, cancellationToken, static (store, id, ct) => store.FindAsync(id, ct)).ConfigureAwait(false);
        return family is null || family.Id != familyId ? null : Verified(family, Now());
    }

    /// <summary>Deletes families that were revoked or expired longer ago than
    /// <see cref="RotationEngineOptions.Retention"/>, in batches of <see cref="RotationEngineOptions.PruneBatchSize"/>.
    /// Run it from a periodic job.</summary>
    /// <returns>How many families were deleted.</returns>
    /// <exception cref="RotationStoreException">The store failed; earlier batches stay deleted.</exception>
    public async ValueTask<int> PruneAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = Now() - _options.Retention;
        var total = 0;
        int deleted;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            deleted = await Call("Prune", (cutoff, _options.PruneBatchSize), cancellationToken, static (store, a, ct) => store.PruneAsync(a.cutoff, a.PruneBatchSize, ct)).ConfigureAwait(false);
            total += deleted;
        }
        while (deleted >= _options.PruneBatchSize);

        Log.Pruned(_logger, total, cutoff);
        return total;
    }

    /// <summary>The family as the host sees it, if its seal verifies under its own key.</summary>
    private FamilyInfo? Verified(FamilyRecord family, DateTimeOffset now)
    {
        var key = InputRules.IsWithinLimits(family) ? _keys.FindKey(family.KeyId) : null;
        if (key is null || !FamilySeal.Verify(key, family))
        {
            PublishInvalid(key is null && InputRules.IsWithinLimits(family) ? OutcomeCause.UnknownKey : OutcomeCause.Tampered, family.Id, null, now);
            return null;
        }

        return new FamilyInfo(
            family.Id,
            family.Subject,
            family.ClientId,
            family.Binding,
            family.Metadata,
            family.CreatedAt,
            family.Generation == 0 ? family.CreatedAt : family.CurrentIssuedAt,
            family.Generation,
            Min(family.TokenExpiresAt, family.FamilyExpiresAt),
            family.FamilyExpiresAt,
            family.Status,
            family.RevokedAt,
            family.RevocationReason);
    }
}
