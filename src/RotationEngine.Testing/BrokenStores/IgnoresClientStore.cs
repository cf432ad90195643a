using RotationEngine.Storage;

namespace RotationEngine.Testing.BrokenStores;

/// <summary>The client left out of the rotation's condition: another client's token rotates the family (the engine
/// relies on the store's condition on its fast path).</summary>
public sealed class IgnoresClientStore : LockingFamilyStore
{
    /// <inheritdoc />
    protected override bool Accepts(FamilyRecord family, RotationCommand command)
    {
        ArgumentNullException.ThrowIfNull(family);
        return (command with { ClientId = family.ClientId }).Matches(family);
    }
}
