using RotationEngine.Storage;
using RotationEngine.Testing;

namespace RotationEngine.Properties.Teeth;

/// <summary>
/// A property suite that cannot fail is worth nothing: each deliberately broken store or configuration must make
/// the suite fail, and the failure must name the invariant that caught it. The correct
/// <see cref="LockingFamilyStore"/> they are built on passes every invariant (see <see cref="LockingStoreInvariants"/>).
/// </summary>
public sealed class SuiteHasTeethTests
{
    public static TheoryData<string, Invariant> BrokenStores => new()
    {
        { nameof(IgnoresGenerationStore), Invariant.SingleLineage },
        { nameof(IgnoresGenerationStore), Invariant.StoresAgree },
        { nameof(ForgetfulRevocationStore), Invariant.RevocationIsFinal },
        { nameof(IgnoresGenerationStore), Invariant.ReuseIsDetected },
        { nameof(SiblingMintingStore), Invariant.GraceIsIdempotentAndBounded },
        { nameof(SiblingMintingStore), Invariant.SingleLineage },
        { nameof(UncountedReplayStore), Invariant.GraceIsIdempotentAndBounded },
        { nameof(ExpiryOffByOneStore), Invariant.ExpiryHolds },
        { nameof(RevokeOnRefusalStore), Invariant.ForgeryIsHarmless },
        { nameof(RollbackOnRevokeStore), Invariant.GenerationsOnlyGrow },
        { nameof(CheckThenActStore), Invariant.SingleLineage },
    };

    [Theory]
    [MemberData(nameof(BrokenStores))]
    public async Task The_suite_fails_on_a_broken_store_naming_the_invariant(string store, Invariant invariant)
    {
        var suite = new InvariantSuite(() => ValueTask.FromResult(Create(store)));

        var failure = await Assert.ThrowsAsync<InvariantViolationException>(() => Task.Run(() => suite.Check(invariant, cases: 300)));

        Assert.Equal(invariant, failure.Invariant);
        Assert.Contains($"{invariant.Describe()}:", failure.Message, StringComparison.Ordinal);
        Assert.Contains(PropertyRunSettings.ReplayVariable + "=", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_suite_fails_when_a_host_logs_the_token()
    {
        var suite = new InvariantSuite(() => ValueTask.FromResult<IFamilyStore>(new InMemoryFamilyStore())) { LeakyHost = true };

        var failure = await Assert.ThrowsAsync<InvariantViolationException>(() => Task.Run(() => suite.Check(Invariant.SecretsStaySecret, cases: 50)));

        Assert.Equal(Invariant.SecretsStaySecret, failure.Invariant);
        Assert.Contains("appears in captured output", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("rt1_", failure.Message, StringComparison.Ordinal);
    }

    internal static IFamilyStore Create(string name) => name switch
    {
        nameof(IgnoresGenerationStore) => new IgnoresGenerationStore(),
        nameof(CheckThenActStore) => new CheckThenActStore(),
        nameof(ForgetfulRevocationStore) => new ForgetfulRevocationStore(),
        nameof(ExpiryOffByOneStore) => new ExpiryOffByOneStore(),
        nameof(SiblingMintingStore) => new SiblingMintingStore(),
        nameof(UncountedReplayStore) => new UncountedReplayStore(),
        nameof(RevokeOnRefusalStore) => new RevokeOnRefusalStore(),
        nameof(RollbackOnRevokeStore) => new RollbackOnRevokeStore(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown broken store."),
    };
}

/// <summary>The plain store the broken ones derive from passes every invariant: the failures above are the breakage's.</summary>
public sealed class LockingStoreInvariants : InvariantProperties
{
    protected override ValueTask<IFamilyStore> CreateStoreAsync() => ValueTask.FromResult<IFamilyStore>(new LockingFamilyStore());

    protected override int Cases => 50;
}

/// <summary>Invariant 9's teeth: a store without an atomic compare-and-swap loses to concurrent rotations.</summary>
public sealed class LinearizabilityHasTeethTests
{
    [Fact]
    public async Task The_linearizability_check_fails_on_a_check_then_act_store()
    {
        var suite = new InvariantSuite(() => ValueTask.FromResult<IFamilyStore>(new CheckThenActStore()));

        var failure = await Assert.ThrowsAsync<InvariantViolationException>(() => Task.Run(() => suite.CheckLinearizable(iterations: 200)));

        Assert.Equal(Invariant.Linearizable, failure.Invariant);
        Assert.Contains(Invariant.Linearizable.Describe(), failure.Message, StringComparison.Ordinal);
    }
}

/// <summary>The exhaustive forgery check's teeth: a store that revokes on a refused rotation lets forgeries revoke.</summary>
public sealed class ExhaustiveForgeryHasTeethTests
{
    [Fact]
    public async Task The_exhaustive_forgery_check_fails_on_a_store_that_revokes_on_refusal()
    {
        var suite = new InvariantSuite(() => ValueTask.FromResult<IFamilyStore>(new RevokeOnRefusalStore()));

        var failure = await Assert.ThrowsAsync<InvariantViolationException>(suite.CheckEveryForgeryAsync);

        Assert.Equal(Invariant.ForgeryIsHarmless, failure.Invariant);
        Assert.Contains("changed family 0", failure.Message, StringComparison.Ordinal);
    }
}
