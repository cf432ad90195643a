using RotationEngine.Storage;

namespace RotationEngine.Testing.BrokenStores;

/// <summary>No compare-and-swap on the chain: any token of the family rotates it, whatever its generation or digest.
/// (The engine notices that the family written is not the one it asked for and hands out nothing, so this breaks
/// agreement and reuse detection rather than the lineage.)</summary>
public sealed class IgnoresGenerationStore : LockingFamilyStore
{
    /// <inheritdoc />
    protected override bool Accepts(FamilyRecord family, RotationCommand command)
    {
        ArgumentNullException.ThrowIfNull(family);
        return (command with { Generation = family.Generation, ExpectedDigest = family.Digest }).Matches(family);
    }
}
