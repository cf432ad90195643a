namespace RotationEngine.Testing.BrokenStores;

/// <summary>The deliberately broken stores, by flaw: what the teeth tests and the simulator's sabotage mode run against
/// to prove that the property suite and the oracle catch what they claim to catch.</summary>
public static class BrokenStore
{
    /// <summary>A new, empty store with <paramref name="flaw"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a <see cref="StoreFlaw"/>.</exception>
    public static LockingFamilyStore Create(StoreFlaw flaw) => flaw switch
    {
        StoreFlaw.IgnoresGeneration => new IgnoresGenerationStore(),
        StoreFlaw.CheckThenAct => new CheckThenActStore(),
        StoreFlaw.ForgetfulRevocation => new ForgetfulRevocationStore(),
        StoreFlaw.ExpiryOffByOne => new ExpiryOffByOneStore(),
        StoreFlaw.SiblingMinting => new SiblingMintingStore(),
        StoreFlaw.UncountedReplay => new UncountedReplayStore(),
        StoreFlaw.RevokeOnRefusal => new RevokeOnRefusalStore(),
        StoreFlaw.IgnoresClient => new IgnoresClientStore(),
        StoreFlaw.RollbackOnRevoke => new RollbackOnRevokeStore(),
        StoreFlaw.LostUpdate => new LostUpdateStore(),
        _ => throw new ArgumentOutOfRangeException(nameof(flaw), flaw, "Not a store flaw."),
    };
}
