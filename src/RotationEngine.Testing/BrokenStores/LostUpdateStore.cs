using RotationEngine.Storage;

namespace RotationEngine.Testing.BrokenStores;

/// <summary>A compare-and-swap that is not atomic, made deterministic: a writer whose read was one version old still
/// passes its comparison (a lost update), so two rotations of one generation both succeed, even one after the other.
/// The revocation state is kept from the current version.</summary>
public sealed class LostUpdateStore : LockingFamilyStore
{
    private readonly Dictionary<FamilyId, FamilyRecord> _previous = [];

    /// <inheritdoc />
    public override ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            if (Read(command.FamilyId) is not { } current)
            {
                return ValueTask.FromResult<FamilyRecord?>(null);
            }

            var basis = command.Matches(current) ? current
                : _previous.TryGetValue(command.FamilyId, out var stale) && command.Matches(stale with { Status = current.Status }) ? stale
                : null;
            if (basis is null)
            {
                return ValueTask.FromResult<FamilyRecord?>(null);
            }

            var next = command.ApplyTo(basis) with { Status = current.Status, RevokedAt = current.RevokedAt, RevocationReason = current.RevocationReason };
            _previous[command.FamilyId] = current;
            Write(next);
            return ValueTask.FromResult<FamilyRecord?>(next);
        }
    }
}
