namespace RotationEngine.Storage;

/// <summary>
/// The single conditional write of a rotation (compare-and-swap). See <see cref="IFamilyStore.TryRotateAsync"/>
/// for the exact condition and update; <see cref="Matches"/> and <see cref="ApplyTo"/> are their reference
/// implementation, which the in-memory store uses.
/// </summary>
/// <param name="FamilyId">The family.</param>
/// <param name="Generation">The generation the caller presented; must be the current one.</param>
/// <param name="ExpectedDigest">Digest of the presented secret; must equal the stored digest.</param>
/// <param name="NewDigest">Digest of the next generation's secret.</param>
/// <param name="KeyId">The key the next secret was derived with; must be the family's key.</param>
/// <param name="Binding">The presented binding; must equal the family's when the family is bound.</param>
/// <param name="Now">The engine's clock; the store never reads one.</param>
/// <param name="LedgerSlot">The grace-ledger slot recording the retirement of <paramref name="Generation"/>.</param>
public readonly record struct RotationCommand(
    FamilyId FamilyId,
    int Generation,
    byte[] ExpectedDigest,
    byte[] NewDigest,
    string KeyId,
    string? Binding,
    DateTimeOffset Now,
    string LedgerSlot)
{
    /// <summary>Whether <paramref name="family"/> satisfies the rotation's condition.</summary>
    public bool Matches(FamilyRecord family)
    {
        ArgumentNullException.ThrowIfNull(family);
        return family.Id == FamilyId
            && family.Generation == Generation
            && family.Status == FamilyStatus.Active
            && Now < family.TokenExpiresAt
            && Now < family.FamilyExpiresAt
            && family.Generation < family.Policy.MaxGenerations
            && string.Equals(family.KeyId, KeyId, StringComparison.Ordinal)
            && (family.Binding is null || string.Equals(family.Binding, Binding, StringComparison.Ordinal))
            && family.Digest.AsSpan().SequenceEqual(ExpectedDigest);
    }

    /// <summary>The family after the rotation: next generation, new digest, sliding expiry, shifted ledger.</summary>
    public FamilyRecord ApplyTo(FamilyRecord family)
    {
        ArgumentNullException.ThrowIfNull(family);
        return family with
        {
            Generation = family.Generation + 1,
            Digest = NewDigest,
            TokenExpiresAt = Now + family.Policy.TokenLifetime,
            Ledger = GraceLedger.Shift(LedgerSlot, family.Ledger, family.Policy.GraceDepth),
        };
    }

    /// <inheritdoc />
    public override string ToString() => $"RotationCommand {{ FamilyId = {FamilyId}, Generation = {Generation} }}";
}
