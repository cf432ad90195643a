namespace RotationEngine.DPoP;

/// <summary>
/// Remembers which DPoP proofs (RFC 9449 §11.1) a server has accepted, so that a proof is accepted at most once within
/// its acceptance window. Shared by every instance of a deployment: an in-process cache lets a proof replayed against
/// another instance through. <see cref="InMemoryDPoPReplayCache"/> is the single-instance default; the store packages
/// provide shared ones (for example <c>UseSqliteDPoPReplayCache()</c>).
/// </summary>
public interface IDPoPReplayCache
{
    /// <summary>Records <paramref name="proofKey"/> until <paramref name="expiresAt"/>, atomically.</summary>
    /// <param name="proofKey">A 128-bit digest of the proof's key thumbprint and <c>jti</c> (never the proof itself).</param>
    /// <param name="now">The caller's current time; entries whose expiry is at or before it count as absent.</param>
    /// <param name="expiresAt">When the entry may be forgotten: the end of the proof's acceptance window.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True if the key was not recorded (the proof is fresh); false if it was (a replay).</returns>
    /// <exception cref="Storage.RotationStoreException">The cache cannot answer (down, or full): the request is
    /// answered 503 with <c>Retry-After</c>, never accepted unchecked.</exception>
    ValueTask<bool> TryAddAsync(UInt128 proofKey, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);
}
