namespace RotationEngine.Testing.Harness;

/// <summary>A deliberate mistake of the host the harness plays, for the suite's own teeth tests: each makes one
/// invariant false without touching the engine or the store, and the suite must say which.</summary>
internal enum HostFlaw
{
    /// <summary>A careful host.</summary>
    None,

    /// <summary>Logs each presented refresh token (invariant 7 must catch it).</summary>
    LogsTokens,

    /// <summary>Looks the token's family up (to log its user) before rotating, so that a forgery costs a store call
    /// (invariant 12 must catch it).</summary>
    LooksUpBeforeRotating,

    /// <summary>Shows the sessions page from the store's records rather than through the engine (invariant 14 must
    /// catch it).</summary>
    TrustsStoreRecords,

    /// <summary>"Defensive": revokes the family a refused token names, so that a forged string revokes it (invariant 6
    /// must catch it).</summary>
    RevokesOnInvalid,
}
