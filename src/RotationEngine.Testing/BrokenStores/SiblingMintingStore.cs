using RotationEngine.Storage;

namespace RotationEngine.Testing.BrokenStores;

/// <summary>Grace that mints a second live token (the sibling approach of OpenIddict and Hydra): the immediate
/// predecessor of the current generation rotates again instead of replaying, and the fork replaces the current token.</summary>
public sealed class SiblingMintingStore : LockingFamilyStore
{
    /// <inheritdoc />
    public override ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            if (Read(command.FamilyId) is { } family
                && command.Generation == family.Generation - 1
                && (command with { Generation = family.Generation, ExpectedDigest = family.Digest }).Matches(family))
            {
                var sibling = command.ApplyTo(family with { Generation = command.Generation });
                Write(sibling);
                return ValueTask.FromResult<FamilyRecord?>(sibling);
            }
        }

        return base.TryRotateAsync(command, cancellationToken);
    }
}
