using RotationEngine;

namespace Simulator.Oracle;

/// <summary>
/// The oracle's ground truth about one family: what the engine must believe, computed from the outcomes it
/// gave and the specification, never read back from the store. Also what the report needs about it.
/// </summary>
internal sealed class FamilyModel
{
    public FamilyModel(int id, int owner, RotationPolicy policy, string clientId, string? binding, long createdAt, string token)
    {
        Id = id;
        Owner = owner;
        Policy = policy;
        ClientId = clientId;
        Binding = binding;
        CreatedAt = createdAt;
        FamilyExpiresAt = createdAt + (long)policy.FamilyLifetime.TotalMilliseconds;
        TokenExpiresAt = createdAt + (long)policy.TokenLifetime.TotalMilliseconds;
        CurrentToken = token;
        RetiredAt = new long[policy.GraceDepth];
        Replays = new int[policy.GraceDepth];
        IssuedAt = new long[policy.GraceDepth + 1];
        IssuedAt[0] = createdAt;
    }

    /// <summary>The simulator's own id of the family (never the engine's random one).</summary>
    public int Id { get; }

    /// <summary>The honest client the family was issued to.</summary>
    public int Owner { get; }

    public RotationPolicy Policy { get; }

    /// <summary>The OAuth client id the family was issued to: only it may rotate the family's tokens.</summary>
    public string ClientId { get; }

    /// <summary>The engine's id of the family (random; used only to read the store, never printed).</summary>
    public FamilyId EngineId { get; init; }

    public string? Binding { get; }

    public long CreatedAt { get; }

    public long FamilyExpiresAt { get; }

    public long TokenExpiresAt { get; set; }

    public int Generation { get; set; }

    /// <summary>The current token, held only in memory to check that a grace replay returns it byte-for-byte.</summary>
    public string CurrentToken { get; set; }

    public bool Revoked { get; set; }

    public long RevokedAt { get; set; }

    /// <summary>Retirement times of the last <c>GraceDepth</c> retired generations, newest first (the grace
    /// ledger's slots: index <c>behind − 1</c>).</summary>
    public long[] RetiredAt { get; }

    /// <summary>Replay counts of the same generations, newest first.</summary>
    public int[] Replays { get; }

    /// <summary>How many ledger slots are filled (at most <c>GraceDepth</c>).</summary>
    public int Slots { get; set; }

    /// <summary>Issue times of the current generation (index 0) and of the <c>GraceDepth</c> generations before it
    /// (index <c>behind</c>): each token carries its own, authenticated, and its idle expiry runs from it.</summary>
    public long[] IssuedAt { get; }

    /// <summary>Whether an attacker has presented a token of this family (a later logout is then no false alarm).</summary>
    public bool AttackerPresented { get; set; }

    /// <summary>Whether an attacker had presented a token when the family was revoked.</summary>
    public bool RevocationBlamesAttacker { get; set; }

    /// <summary>Thieves holding a copy of a token of this family.</summary>
    public List<int>? Thieves { get; set; }

    /// <summary>A rotation at <paramref name="now"/>: the current generation is retired (a new ledger slot) and the
    /// next one issued at the same instant.</summary>
    public void Retire(long now)
    {
        for (var i = Math.Min(Slots, RetiredAt.Length - 1); i > 0; i--)
        {
            RetiredAt[i] = RetiredAt[i - 1];
            Replays[i] = Replays[i - 1];
        }

        RetiredAt[0] = now;
        Replays[0] = 0;
        Slots = Math.Min(Slots + 1, RetiredAt.Length);
        for (var i = IssuedAt.Length - 1; i > 0; i--)
        {
            IssuedAt[i] = IssuedAt[i - 1];
        }

        IssuedAt[0] = now;
    }
}
