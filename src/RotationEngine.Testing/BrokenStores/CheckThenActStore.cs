using RotationEngine.Storage;

namespace RotationEngine.Testing.BrokenStores;

/// <summary>Check-then-act: reads, checks the condition, then writes in a second step, so two concurrent rotations of
/// the same token can both succeed.</summary>
public sealed class CheckThenActStore : LockingFamilyStore
{
    /// <inheritdoc />
    public override async ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default)
    {
        var family = await FindAsync(command.FamilyId, cancellationToken);
        if (family is null || !command.Matches(family))
        {
            return null;
        }

        await Task.Delay(1, cancellationToken);
        var rotated = command.ApplyTo(family);
        Write(rotated);
        return rotated;
    }
}
