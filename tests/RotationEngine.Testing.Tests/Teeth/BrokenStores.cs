using RotationEngine.Storage;

namespace RotationEngine.Testing.Tests.Teeth;

/// <summary>No compare-and-swap on the chain: any token of the family rotates it, whatever its generation or digest.
/// (The engine notices that the family written is not the one it asked for and hands out nothing, so this breaks
/// agreement and reuse detection rather than the lineage.)</summary>
public sealed class IgnoresGenerationStore : LockingFamilyStore
{
    protected override bool Accepts(FamilyRecord family, RotationCommand command) =>
        (command with { Generation = family.Generation, ExpectedDigest = family.Digest }).Matches(family);
}

/// <summary>Check-then-act: reads, checks the condition, then writes in a second step, so two concurrent
/// rotations of the same token can both succeed.</summary>
public sealed class CheckThenActStore : LockingFamilyStore
{
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

/// <summary>Revocation forgotten: says it revoked, writes nothing.</summary>
public sealed class ForgetfulRevocationStore : LockingFamilyStore
{
    protected override bool Revoke(FamilyRecord family, RevocationReason reason, DateTimeOffset now) => family.Status == FamilyStatus.Active;
}

/// <summary>Expiry off by one millisecond: a token still rotates at the exact instant it expires.</summary>
public sealed class ExpiryOffByOneStore : LockingFamilyStore
{
    protected override bool Accepts(FamilyRecord family, RotationCommand command) =>
        (command with { IssuedAt = command.IssuedAt.AddMilliseconds(1) }).Matches(family with { FamilyExpiresAt = family.FamilyExpiresAt.AddMilliseconds(1) });
}

/// <summary>Grace that mints a second live token (the sibling approach of OpenIddict and Hydra): the immediate
/// predecessor of the current generation rotates again instead of replaying, and the fork replaces the current token.</summary>
public sealed class SiblingMintingStore : LockingFamilyStore
{
    public override ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            if (FindAsync(command.FamilyId, cancellationToken).Result is { } family
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

/// <summary>The client left out of the rotation's condition: another client's token rotates the family.</summary>
public sealed class IgnoresClientStore : LockingFamilyStore
{
    protected override bool Accepts(FamilyRecord family, RotationCommand command) =>
        (command with { ClientId = family.ClientId }).Matches(family);
}

/// <summary>Grace replays never counted: the ledger write is skipped, so a replay limit never runs out.</summary>
public sealed class UncountedReplayStore : LockingFamilyStore
{
    public override ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(true);
}

/// <summary>A "defensive" store that revokes a family whenever a rotation of it is refused: a retired token within
/// grace, or another client's token, then revokes it. (Forged strings never reach a store any more.)</summary>
public sealed class RevokeOnRefusalStore : LockingFamilyStore
{
    protected override void OnRefused(FamilyRecord? family, RotationCommand command)
    {
        if (family is not null)
        {
            Revoke(family, RevocationReason.Compromised, command.Now);
        }
    }
}

/// <summary>Generations that go backwards: revocation restores the family's first generation.</summary>
public sealed class RollbackOnRevokeStore : LockingFamilyStore
{
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
