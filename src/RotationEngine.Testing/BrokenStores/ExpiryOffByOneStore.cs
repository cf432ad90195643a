using RotationEngine.Storage;

namespace RotationEngine.Testing.BrokenStores;

/// <summary>Expiry off by one millisecond: a token still rotates at the exact instant it expires.</summary>
public sealed class ExpiryOffByOneStore : LockingFamilyStore
{
    /// <inheritdoc />
    protected override bool Accepts(FamilyRecord family, RotationCommand command)
    {
        ArgumentNullException.ThrowIfNull(family);
        return (command with { IssuedAt = command.IssuedAt.AddMilliseconds(1) }).Matches(family with { FamilyExpiresAt = family.FamilyExpiresAt.AddMilliseconds(1) });
    }
}
