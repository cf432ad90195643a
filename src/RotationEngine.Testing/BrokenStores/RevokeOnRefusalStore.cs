using RotationEngine.Storage;

namespace RotationEngine.Testing.BrokenStores;

/// <summary>A "defensive" store that revokes a family whenever a rotation of it is refused: a retired token within
/// grace, or another client's token, then revokes it. (Forged strings never reach a store.)</summary>
public sealed class RevokeOnRefusalStore : LockingFamilyStore
{
    /// <inheritdoc />
    protected override void OnRefused(FamilyRecord? family, RotationCommand command)
    {
        if (family is not null)
        {
            Revoke(family, RevocationReason.Compromised, command.Now);
        }
    }
}
