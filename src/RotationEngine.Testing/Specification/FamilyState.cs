using System.Collections.Immutable;

namespace RotationEngine.Testing.Specification;

/// <summary>
/// One family as docs/semantics.md describes it, written as plain data: who it belongs to, its frozen policy, when each
/// generation was issued, the grace replays counted, and whether it is revoked or pruned. Times are Unix milliseconds.
/// Immutable: every rule of <see cref="RotationSpecification"/> returns a new value. This is the specification's view,
/// computed from outcomes, never read back from a store.
/// </summary>
public sealed record FamilyState
{
    /// <summary>The subject the family was issued to.</summary>
    public required string Subject { get; init; }

    /// <summary>The OAuth client the family was issued to: only it may rotate the family's tokens.</summary>
    public required string ClientId { get; init; }

    /// <summary>The binding (e.g. a DPoP key thumbprint) the family was issued with, if any.</summary>
    public string? Binding { get; init; }

    /// <summary>The policy frozen into the family at issue.</summary>
    public required RotationPolicy Policy { get; init; }

    /// <summary>The family's absolute expiry.</summary>
    public required long FamilyExpiresAt { get; init; }

    /// <summary>When each generation from <see cref="FirstKept"/> on was issued: [0] is the sign-in (until
    /// <see cref="Compact"/> drops it), [g] the rotation that created generation g (which is also when generation g − 1
    /// was retired).</summary>
    public required ImmutableList<long> IssuedAt { get; init; }

    /// <summary>The first generation <see cref="IssuedAt"/> holds (0 unless <see cref="Compact"/> dropped older ones).</summary>
    public int FirstKept { get; init; }

    /// <summary>When the family was issued.</summary>
    public required long CreatedAt { get; init; }

    /// <summary>Grace replays counted per retired generation.</summary>
    public ImmutableDictionary<int, int> Replays { get; init; } = ImmutableDictionary<int, int>.Empty;

    /// <summary>Whether the family is revoked.</summary>
    public bool Revoked { get; init; }

    /// <summary>When it was revoked.</summary>
    public long? RevokedAt { get; init; }

    /// <summary>Whether a prune removed it from the store.</summary>
    public bool Pruned { get; init; }

    /// <summary>The current generation.</summary>
    public int Generation => FirstKept + IssuedAt.Count - 1;

    /// <summary>When <paramref name="generation"/> was issued (at least <see cref="FirstKept"/>).</summary>
    public long IssuedAtOf(int generation) => IssuedAt[generation - FirstKept];

    /// <summary>The current token's idle expiry.</summary>
    public long TokenExpiresAt => IssuedAt[^1] + RotationSpecification.Ms(Policy.TokenLifetime);

    /// <summary>The idle expiry of the token of <paramref name="generation"/> (retired or current), from its own issue time.</summary>
    public long TokenExpiryOf(int generation) => IssuedAtOf(generation) + RotationSpecification.Ms(Policy.TokenLifetime);

    /// <summary>The grace replays counted for the retired <paramref name="generation"/>.</summary>
    public int ReplaysOf(int generation) => Replays.GetValueOrDefault(generation);

    /// <summary>Whether the family is listed as an active session at <paramref name="now"/> (§4 ListFamilies).</summary>
    public bool IsLive(long now) => !Pruned && !Revoked && now < TokenExpiresAt && now < FamilyExpiresAt;

    /// <summary>A new family at generation 0 (§4 Issue).</summary>
    public static FamilyState Issue(string subject, string clientId, string? binding, RotationPolicy policy, long now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new FamilyState
        {
            Subject = subject,
            ClientId = clientId,
            Binding = binding,
            Policy = policy,
            FamilyExpiresAt = now + RotationSpecification.Ms(policy.FamilyLifetime),
            IssuedAt = [now],
            CreatedAt = now,
        };
    }

    /// <summary>The same family without the issue times and replay counts of generations more than the policy's grace
    /// depth behind, which no rule reads again: memory bounded by the depth, not by the number of rotations (for long
    /// runs such as the simulator's). The property machine keeps everything.</summary>
    public FamilyState Compact()
    {
        var drop = IssuedAt.Count - (Policy.GraceDepth + 1);
        if (drop <= 0)
        {
            return this;
        }

        var first = FirstKept + drop;
        return this with
        {
            FirstKept = first,
            IssuedAt = IssuedAt.RemoveRange(0, drop),
            Replays = Replays.RemoveRange(Replays.Keys.Where(g => g < first).ToList()),
        };
    }

    /// <inheritdoc />
    public override string ToString() => $"{(Pruned ? "pruned" : Revoked ? "revoked" : "active")} gen {Generation}";
}
