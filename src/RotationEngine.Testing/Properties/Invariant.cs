namespace RotationEngine.Testing;

/// <summary>The invariants of SEMANTICS.md §7, numbered as there.</summary>
public enum Invariant
{
    /// <summary>At any moment at most one token per family can produce <see cref="RotationOutcome.Rotated"/>.</summary>
    SingleLineage = 1,

    /// <summary>After a family is revoked, no token of it yields Rotated or GraceReplay.</summary>
    RevocationIsFinal = 2,

    /// <summary>An authentic retired token outside the grace rule, while the family is active and unexpired,
    /// yields ReuseDetected and revokes the family.</summary>
    ReuseIsDetected = 3,

    /// <summary>Inside the grace rule the answer is the current token byte-for-byte and the generation does not
    /// move; outside it nobody gets it.</summary>
    GraceIsIdempotentAndBounded = 4,

    /// <summary>Nothing succeeds at or after the token's idle expiry or the family's absolute expiry.</summary>
    ExpiryHolds = 5,

    /// <summary>Any string that is not an authentic token yields Invalid and changes no state.</summary>
    ForgeryIsHarmless = 6,

    /// <summary>No token or secret appears in the store, logs, events or exception messages.</summary>
    SecretsStaySecret = 7,

    /// <summary>For any sequence of operations every store gives the outcomes of the reference model (and so of
    /// the in-memory store).</summary>
    StoresAgree = 8,

    /// <summary>Concurrent calls on one family behave as some sequential order of them; one Rotated per generation.</summary>
    Linearizable = 9,

    /// <summary>A process killed at any instant leaves each family in its before or its after state.</summary>
    CrashSafe = 10,

    /// <summary>A family's generation never decreases.</summary>
    GenerationsOnlyGrow = 11,
}

/// <summary>Names of the invariants for failure messages.</summary>
public static class InvariantNames
{
    /// <summary>"Invariant 3 (ReuseIsDetected)": the form every failure message of the suite uses.</summary>
    public static string Describe(this Invariant invariant) => $"Invariant {(int)invariant} ({invariant})";
}
