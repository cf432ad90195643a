using RotationEngine.Internal;
using RotationEngine.Storage;

namespace RotationEngine.Benchmarks.Infrastructure;

/// <summary>A family created directly in a store, as rotations would have left it, and its real tokens.</summary>
/// <param name="Record">The record as stored (sealed).</param>
/// <param name="OldestToken">The token of the oldest generation whose secret was computed: generation 0 for a
/// chained family.</param>
/// <param name="CurrentToken">The token of the current generation.</param>
internal sealed record StoredFamily(FamilyRecord Record, string OldestToken, string CurrentToken);

/// <summary>
/// Creates families at any generation without making the rotations: the benchmarks need families a million
/// generations deep, and a million rotations (each a store write) would take longer than the whole suite. The record
/// is what the engine itself writes: the current generation's digest and tag from <see cref="TokenCrypto"/>, one
/// grace-ledger slot per retired generation the policy keeps (retired now, with the successor's digest piece), the
/// policy snapshot, and the identity seal from <see cref="FamilySeal.Compute(Keys.ChainKey, FamilyRecord)"/>; every
/// generation was "issued" at the same instant. With <c>chained</c> the secrets are derived from a random
/// generation-0 secret, so that the generation-0 token walks to the current digest (reuse detection needs that
/// proof). Without it only the last <c>GraceDepth</c> generations are derived, from a random secret: the chain's root
/// is never stored, so the engine cannot tell such a family from one that rotated all the way, as long as no older
/// token is presented (a forgery's tag fails before anything is read).
/// </summary>
internal static class StoredFamilies
{
    public static StoredFamily Create(IFamilyStore store, string clientId, RotationPolicy policy, int generation, bool chained)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(generation);
        var key = EngineFixture.Key;
        var now = DateTimeOffset.FromUnixTimeMilliseconds(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds());
        var issuedAt = now.ToUnixTimeMilliseconds();
        var id = FamilyId.New();
        var kept = Math.Min(generation, policy.GraceDepth);
        var oldest = chained ? 0 : generation - kept;

        var secret = default(SecretBuffer);
        TokenCrypto.FillRandom(secret);
        var digest = new byte[FamilyColumns.DigestSize];
        var oldestToken = TokenCrypto.Issue(key, id, oldest, issuedAt, secret, digest);
        var ledger = "";
        Span<byte> tag = stackalloc byte[TokenCodec.TagSize];
        for (var g = oldest + 1; g <= generation; g++)
        {
            TokenCrypto.DeriveChild(key, id, g, secret, secret);
            if (g > generation - kept)
            {
                // The slot of generation g − 1's retirement names generation g's digest.
                var successor = new byte[FamilyColumns.DigestSize];
                TokenCrypto.Mac(key, id, g, issuedAt, secret, tag, successor);
                ledger = GraceLedger.Shift(GraceLedger.NewSlot(now, successor), ledger, policy.GraceDepth);
            }
        }

        var current = TokenCrypto.Issue(key, id, generation, issuedAt, secret, digest);
        ((Span<byte>)secret).Clear();
        var record = new FamilyRecord
        {
            Id = id,
            Subject = EngineFixture.Subject,
            ClientId = clientId,
            KeyId = key.Id,
            CreatedAt = now,
            FamilyExpiresAt = now + policy.FamilyLifetime,
            TokenExpiresAt = now + policy.TokenLifetime,
            Generation = generation,
            Digest = digest,
            Ledger = ledger,
            Policy = PolicySnapshot.Of(policy),
            Seal = [],
        };
        record = record with { Seal = FamilySeal.Compute(key, record) };
        store.CreateAsync(record).AsTask().GetAwaiter().GetResult();
        return new StoredFamily(record, oldestToken, current);
    }
}
