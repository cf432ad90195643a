using RotationEngine;
using RotationEngine.Testing.Specification;

namespace Simulator.Oracle;

/// <summary>
/// The oracle's ground truth about one family: the specification's <see cref="FamilyState"/>, computed from the
/// outcomes the engine gave and never read back from the store, plus what only the simulator tracks (its own id, the
/// honest owner, the current token, the thieves, who to blame for a revocation).
/// </summary>
internal sealed class FamilyModel
{
    public FamilyModel(int id, int owner, RotationPolicy policy, string clientId, string? binding, long createdAt, string token)
    {
        Id = id;
        Owner = owner;
        State = FamilyState.Issue($"user-{owner}", clientId, binding, policy, createdAt);
        CurrentToken = token;
    }

    /// <summary>The simulator's own id of the family (never the engine's random one).</summary>
    public int Id { get; }

    /// <summary>The honest client the family was issued to.</summary>
    public int Owner { get; }

    /// <summary>The family as the specification sees it (the oracle moves it on after each consistent answer).</summary>
    public FamilyState State { get; set; }

    public RotationPolicy Policy => State.Policy;

    /// <summary>The OAuth client id the family was issued to: only it may rotate the family's tokens.</summary>
    public string ClientId => State.ClientId;

    /// <summary>The engine's id of the family (random; used only to read the store, never printed).</summary>
    public FamilyId EngineId { get; init; }

    public string? Binding => State.Binding;

    public long CreatedAt => State.CreatedAt;

    public long FamilyExpiresAt => State.FamilyExpiresAt;

    public long TokenExpiresAt => State.TokenExpiresAt;

    public int Generation => State.Generation;

    public bool Revoked => State.Revoked;

    public long RevokedAt => State.RevokedAt ?? 0;

    /// <summary>The current token, held only in memory to check that a grace replay returns it byte-for-byte.</summary>
    public string CurrentToken { get; set; }

    /// <summary>Whether an attacker has presented a token of this family (a later logout is then no false alarm).</summary>
    public bool AttackerPresented { get; set; }

    /// <summary>Whether an attacker had presented a token when the family was revoked.</summary>
    public bool RevocationBlamesAttacker { get; set; }

    /// <summary>Thieves holding a copy of a token of this family.</summary>
    public List<int>? Thieves { get; set; }
}
