namespace RotationEngine.Testing;

/// <summary>The invariants of docs/semantics.md §7, numbered as there.</summary>
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

    /// <summary>No token or secret appears in the store, logs, events, exception messages or serialized results.</summary>
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

    /// <summary>A string the server did not mint costs no store call, and its rejection time does not grow with the
    /// family's generation.</summary>
    ForgeryIsFree = 12,

    /// <summary>A token presented by a client other than its family's never rotates, replays, revokes or counts anything.</summary>
    ClientBound = 13,

    /// <summary>A record edited outside the engine never yields a token the unedited record would not have yielded, and
    /// never an answer about another subject, client or binding than the one sealed at issue.</summary>
    Sealed = 14,

    /// <summary>Under the policy (the default one unless the suite tests its own), a session that refreshes every 5
    /// minutes lives until its family lifetime or its idle expiry, never cut short by the generation limit.</summary>
    NoEarlyDeath = 15,
}
