namespace RotationEngine.Testing.BrokenStores;

/// <summary>The one decision each deliberately broken store gets wrong (see <see cref="BrokenStore.Create"/>).</summary>
public enum StoreFlaw
{
    /// <summary><see cref="IgnoresGenerationStore"/>: no compare-and-swap on the chain.</summary>
    IgnoresGeneration = 1,

    /// <summary><see cref="CheckThenActStore"/>: read, check, then write in a second step.</summary>
    CheckThenAct,

    /// <summary><see cref="ForgetfulRevocationStore"/>: says it revoked, writes nothing.</summary>
    ForgetfulRevocation,

    /// <summary><see cref="ExpiryOffByOneStore"/>: a token rotates at the instant it expires.</summary>
    ExpiryOffByOne,

    /// <summary><see cref="SiblingMintingStore"/>: grace mints a second live token.</summary>
    SiblingMinting,

    /// <summary><see cref="UncountedReplayStore"/>: grace replays never counted.</summary>
    UncountedReplay,

    /// <summary><see cref="RevokeOnRefusalStore"/>: revokes whenever a rotation is refused.</summary>
    RevokeOnRefusal,

    /// <summary><see cref="IgnoresClientStore"/>: the client left out of the rotation's condition.</summary>
    IgnoresClient,

    /// <summary><see cref="RollbackOnRevokeStore"/>: revocation restores the first generation.</summary>
    RollbackOnRevoke,

    /// <summary><see cref="LostUpdateStore"/>: a writer one version behind still wins.</summary>
    LostUpdate,
}
