namespace RotationEngine.Storage;

/// <summary>
/// The single conditional write of a rotation (compare-and-swap). See <see cref="IFamilyStore.TryRotateAsync"/> for
/// the exact condition and update; <see cref="Matches"/> and <see cref="ApplyTo"/> are their reference implementation,
/// which the in-memory store uses and every SQL statement and script mirrors.
/// </summary>
/// <param name="FamilyId">The family.</param>
/// <param name="Generation">The generation the caller presented; must be the current one.</param>
/// <param name="ExpectedDigest">The digest of the presented token; must equal the stored digest.</param>
/// <param name="NewDigest">The digest of the next token.</param>
/// <param name="KeyId">The key of the presented token; must be the family's key.</param>
/// <param name="ClientId">The client presenting the token; must be the family's client.</param>
/// <param name="Binding">The presented binding; must equal the family's when the family is bound.</param>
/// <param name="IssuedAt">The presented token's issue time (authenticated by its tag): its idle expiry is this plus
/// the family's token lifetime, whatever the row's <see cref="FamilyRecord.TokenExpiresAt"/> says.</param>
/// <param name="Now">The engine's clock; the store never reads one. Also the next token's issue time.</param>
/// <param name="LedgerSlot">The grace-ledger slot recording the retirement of <paramref name="Generation"/>.</param>
public readonly record struct RotationCommand(
    FamilyId FamilyId,
    int Generation,
    byte[] ExpectedDigest,
    byte[] NewDigest,
    string KeyId,
    string ClientId,
    string? Binding,
    DateTimeOffset IssuedAt,
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
            && Now < IssuedAt + family.Policy.TokenLifetime
            && Now < family.FamilyExpiresAt
            && family.Generation < family.Policy.MaxGenerations
            && string.Equals(family.KeyId, KeyId, StringComparison.Ordinal)
            && string.Equals(family.ClientId, ClientId, StringComparison.Ordinal)
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
    public override string ToString() => $"RotationCommand {{ FamilyId = {FamilyId}, Generation = {Generation}, ClientId = {ClientId} }}";
}
