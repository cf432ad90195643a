using RotationEngine.Storage;

namespace RotationEngine.Testing.BrokenStores;

/// <summary>
/// A plain store: a dictionary under one lock, each operation written out in the most obvious way. Correct as written
/// (the property suite runs against it too); each deliberately broken store in this namespace overrides one decision,
/// so that a failure of the suite on it is that decision's.
/// </summary>
public class LockingFamilyStore : IFamilyStore
{
    private readonly Dictionary<FamilyId, FamilyRecord> _families = [];

    /// <summary>The lock every operation holds (re-entrant, for the broken stores' overrides).</summary>
    protected object Gate { get; } = new();

    /// <inheritdoc />
    public ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(family);
        lock (Gate)
        {
            if (!_families.TryAdd(family.Id, family))
            {
                throw new RotationStoreException("Duplicate family.");
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public virtual ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            if (_families.TryGetValue(command.FamilyId, out var family) && Accepts(family, command))
            {
                return ValueTask.FromResult<FamilyRecord?>(_families[family.Id] = command.ApplyTo(family));
            }

            OnRefused(family, command);
            return ValueTask.FromResult<FamilyRecord?>(null);
        }
    }

    /// <summary>The rotation's condition.</summary>
    /// <param name="family">The stored family.</param>
    /// <param name="command">The rotation.</param>
    protected virtual bool Accepts(FamilyRecord family, RotationCommand command)
    {
        return command.Matches(family);
    }

    /// <summary>Called under the lock when a rotation is refused.</summary>
    /// <param name="family">The stored family, if any.</param>
    /// <param name="command">The refused rotation.</param>
    protected virtual void OnRefused(FamilyRecord? family, RotationCommand command)
    {
    }

    /// <inheritdoc />
    public ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(id));

    /// <inheritdoc />
    public virtual ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            if (_families.TryGetValue(id, out var family) && family.Status == FamilyStatus.Active && family.Generation == generation
                && string.Equals(family.Ledger, expectedLedger, StringComparison.Ordinal))
            {
                _families[id] = family with { Ledger = newLedger };
                return ValueTask.FromResult(true);
            }

            return ValueTask.FromResult(false);
        }
    }

    /// <inheritdoc />
    public virtual ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            return ValueTask.FromResult(_families.TryGetValue(id, out var family) && Revoke(family, reason, now));
        }
    }

    /// <inheritdoc />
    public virtual ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            return ValueTask.FromResult(_families.Values.Where(f => f.Subject == subject).ToList().Count(f => Revoke(f, reason, now)));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            IReadOnlyList<FamilyRecord> live = _families.Values
                .Where(f => f.Subject == subject && f.Status == FamilyStatus.Active && now < f.TokenExpiresAt && now < f.FamilyExpiresAt)
                .OrderBy(f => f.CreatedAt)
                .ToList();
            return ValueTask.FromResult(live);
        }
    }

    /// <inheritdoc />
    public ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            var doomed = _families.Values
                .Where(f => f.PrunableAt < cutoff)
                .Take(batchSize)
                .ToList();
            foreach (var family in doomed)
            {
                _families.Remove(family.Id);
            }

            return ValueTask.FromResult(doomed.Count);
        }
    }

    /// <summary>The stored family, or null.</summary>
    /// <param name="id">The family.</param>
    protected FamilyRecord? Read(FamilyId id)
    {
        lock (Gate)
        {
            return _families.GetValueOrDefault(id);
        }
    }

    /// <summary>Writes a family unconditionally (for the broken stores).</summary>
    /// <param name="family">The record to store.</param>
    protected void Write(FamilyRecord family)
    {
        ArgumentNullException.ThrowIfNull(family);
        lock (Gate)
        {
            _families[family.Id] = family;
        }
    }

    /// <summary>Revokes <paramref name="family"/> if active, as the contract has it: status, time, reason, and the digest
    /// erased. Called under the lock.</summary>
    /// <param name="family">The stored family.</param>
    /// <param name="reason">Why.</param>
    /// <param name="now">When.</param>
    /// <returns>Whether the family was active.</returns>
    protected virtual bool Revoke(FamilyRecord family, RevocationReason reason, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(family);
        if (family.Status != FamilyStatus.Active)
        {
            return false;
        }

        _families[family.Id] = family with { Status = FamilyStatus.Revoked, RevokedAt = now, RevocationReason = reason, Digest = new byte[FamilyColumns.DigestSize] };
        return true;
    }
}
