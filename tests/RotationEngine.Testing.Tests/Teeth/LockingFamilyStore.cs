using RotationEngine.Storage;

namespace RotationEngine.Testing.Tests.Teeth;

/// <summary>
/// A plain store: a dictionary under one lock, each operation written out in the most obvious way. Correct as
/// written (the suite runs against it too); the deliberately broken stores of the teeth tests each override
/// one decision.
/// </summary>
public class LockingFamilyStore : IFamilyStore
{
    private readonly Dictionary<FamilyId, FamilyRecord> _families = [];

    protected object Gate { get; } = new();

    public ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            if (!_families.TryAdd(family.Id, family))
            {
                throw new RotationStoreException("Duplicate family.");
            }
        }

        return ValueTask.CompletedTask;
    }

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
    protected virtual bool Accepts(FamilyRecord family, RotationCommand command) => command.Matches(family);

    /// <summary>Called under the lock when a rotation is refused.</summary>
    protected virtual void OnRefused(FamilyRecord? family, RotationCommand command)
    {
    }

    public ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            return ValueTask.FromResult(_families.GetValueOrDefault(id));
        }
    }

    public virtual ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            if (_families.TryGetValue(id, out var family) && family.Status == FamilyStatus.Active && family.Generation == generation && family.Ledger == expectedLedger)
            {
                _families[id] = family with { Ledger = newLedger };
                return ValueTask.FromResult(true);
            }

            return ValueTask.FromResult(false);
        }
    }

    public virtual ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            return ValueTask.FromResult(_families.TryGetValue(id, out var family) && Revoke(family, reason, now));
        }
    }

    public virtual ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            return ValueTask.FromResult(_families.Values.Where(f => f.Subject == subject).ToList().Count(f => Revoke(f, reason, now)));
        }
    }

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

    /// <summary>Writes a family unconditionally (for the broken stores).</summary>
    protected void Write(FamilyRecord family)
    {
        lock (Gate)
        {
            _families[family.Id] = family;
        }
    }

    /// <summary>Revokes <paramref name="family"/> if active; called under the lock.</summary>
    protected virtual bool Revoke(FamilyRecord family, RevocationReason reason, DateTimeOffset now)
    {
        if (family.Status != FamilyStatus.Active)
        {
            return false;
        }

        _families[family.Id] = family with { Status = FamilyStatus.Revoked, RevokedAt = now, RevocationReason = reason, Digest = new byte[FamilyColumns.DigestSize] };
        return true;
    }
}
