using RotationEngine.Storage;

namespace RotationEngine.Testing.BrokenStores;

/// <summary>Revocation forgotten: says it revoked (a family, or every family of a subject), writes nothing.</summary>
public sealed class ForgetfulRevocationStore : LockingFamilyStore
{
    /// <inheritdoc />
    protected override bool Revoke(FamilyRecord family, RevocationReason reason, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(family);
        return family.Status == FamilyStatus.Active;
    }
}
