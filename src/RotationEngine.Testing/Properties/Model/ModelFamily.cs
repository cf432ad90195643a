using System.Collections.Immutable;
using RotationEngine.Testing.Specification;

namespace RotationEngine.Testing.Model;

/// <summary>One family as the property machine tracks it: the specification's <see cref="FamilyState"/> plus what only
/// the machine needs (its slot, the generations whose token the client received, whether another deployment issued it).
/// Immutable: every model step returns new values.</summary>
internal sealed record ModelFamily
{
    public required int Index { get; init; }

    /// <summary>The family as the specification sees it.</summary>
    public required FamilyState State { get; init; }

    /// <summary>Generations whose token the client actually received (a lost response leaves a hole).</summary>
    public required ImmutableSortedSet<int> Known { get; init; }

    /// <summary>Issued by an engine whose key the engine under test does not hold.</summary>
    public bool Foreign { get; init; }

    public string Subject => State.Subject;

    public string ClientId => State.ClientId;

    public string? Binding => State.Binding;

    public RotationPolicy Policy => State.Policy;

    public long FamilyExpiresAt => State.FamilyExpiresAt;

    public ImmutableList<long> IssuedAt => State.IssuedAt;

    public bool Revoked => State.Revoked;

    public long? RevokedAt => State.RevokedAt;

    public bool Pruned => State.Pruned;

    public int Generation => State.Generation;

    public long TokenExpiresAt => State.TokenExpiresAt;

    /// <summary>The idle expiry of the token of <paramref name="generation"/> (retired or current).</summary>
    public long TokenExpiryOf(int generation) => State.TokenExpiryOf(generation);

    public bool IsLive(long now) => State.IsLive(now);

    public static long Ms(TimeSpan value) => RotationSpecification.Ms(value);

    public override string ToString() =>
        $"#{Index} {State}{(Foreign ? " foreign" : "")}";
}
