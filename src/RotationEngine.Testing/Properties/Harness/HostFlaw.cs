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

    /// <summary>Takes the subject for the access token from the store's record rather than from the engine's answer
    /// (invariant 14 must catch it).</summary>
    TrustsStoreRecords,
}
