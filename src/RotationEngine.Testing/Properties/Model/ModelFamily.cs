using System.Collections.Immutable;

namespace RotationEngine.Testing.Model;

/// <summary>One family as the reference model sees it: the specification of docs/semantics.md written as plain data.
/// Times are Unix milliseconds. Immutable: every model step returns new values.</summary>
internal sealed record ModelFamily
{
    public required int Index { get; init; }

    public required string Subject { get; init; }

    public required string ClientId { get; init; }

    public string? Binding { get; init; }

    public required RotationPolicy Policy { get; init; }

    public required long FamilyExpiresAt { get; init; }

    /// <summary>When each generation was issued: [0] is the sign-in, [g] the rotation that created generation g
    /// (which is also when generation g − 1 was retired).</summary>
    public required ImmutableList<long> IssuedAt { get; init; }

    /// <summary>Grace replays counted per retired generation.</summary>
    public ImmutableDictionary<int, int> Replays { get; init; } = ImmutableDictionary<int, int>.Empty;

    /// <summary>Generations whose token the client actually received (a lost response leaves a hole).</summary>
    public required ImmutableSortedSet<int> Known { get; init; }

    public bool Revoked { get; init; }

    public long? RevokedAt { get; init; }

    public bool Pruned { get; init; }

    /// <summary>Issued by an engine whose key the engine under test does not hold.</summary>
    public bool Foreign { get; init; }

    public int Generation => IssuedAt.Count - 1;

    public long CreatedAt => IssuedAt[0];

    public long TokenExpiresAt => IssuedAt[^1] + Ms(Policy.TokenLifetime);

    /// <summary>The idle expiry of the token of <paramref name="generation"/> (retired or current).</summary>
    public long TokenExpiryOf(int generation) => IssuedAt[generation] + Ms(Policy.TokenLifetime);

    public int ReplaysOf(int generation) => Replays.GetValueOrDefault(generation);

    public bool IsLive(long now) => !Pruned && !Revoked && now < TokenExpiresAt && now < FamilyExpiresAt;

    public static long Ms(TimeSpan value) => (long)value.TotalMilliseconds;

    public override string ToString() =>
        $"#{Index} {(Pruned ? "pruned" : Revoked ? "revoked" : "active")} gen {Generation}{(Foreign ? " foreign" : "")}";
}
