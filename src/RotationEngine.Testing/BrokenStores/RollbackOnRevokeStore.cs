using RotationEngine.Storage;

namespace RotationEngine.Testing.BrokenStores;

/// <summary>Generations that go backwards: revocation restores the family's first generation.</summary>
public sealed class RollbackOnRevokeStore : LockingFamilyStore
{
    /// <inheritdoc />
    protected override bool Revoke(FamilyRecord family, RevocationReason reason, DateTimeOffset now)
    {
        if (!base.Revoke(family, reason, now))
        {
            return false;
        }

        Write(family with { Generation = 0, Status = FamilyStatus.Revoked, RevokedAt = now, RevocationReason = reason });
        return true;
    }
}
