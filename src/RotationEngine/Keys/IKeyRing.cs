namespace RotationEngine.Keys;

/// <summary>
/// The server keys. Implement it to keep keys in a KMS, ASP.NET Data Protection or a vault. A key may be
/// removed only after every family issued under it has expired: tokens of a family whose key is gone are
/// <see cref="RotationOutcome.Invalid"/>. Return the same <see cref="ChainKey"/> instance for a key on every
/// call: the engine keeps keyed hash objects per key instance and thread, so a new instance per call costs a re-key.
/// </summary>
public interface IKeyRing
{
    /// <summary>The key new families are issued under.</summary>
    ChainKey CurrentKey { get; }

    /// <summary>The key with <paramref name="keyId"/>, or null if the ring no longer holds it.</summary>
    ChainKey? FindKey(string keyId);

    /// <summary>The key whose <see cref="ChainKey.Fingerprint"/> is <paramref name="fingerprint"/>, or null.
    /// Called for every presented token before any store access, so keep it a lookup.</summary>
    ChainKey? FindKey(uint fingerprint);
}
