using RotationEngine.Storage;
using RotationEngine.Testing;
using RotationEngine.Testing.BrokenStores;
using RotationEngine.Testing.Harness;

namespace RotationEngine.Testing.Tests.Teeth;

/// <summary>
/// A property suite that cannot fail is worth nothing: each deliberately broken store or configuration must make
/// the suite fail, and the failure must name the invariant that caught it. The correct
/// <see cref="LockingFamilyStore"/> they are built on passes every invariant (see <see cref="LockingStoreInvariants"/>).
/// </summary>
public sealed class SuiteHasTeethTests
{
    public static TheoryData<StoreFlaw, Invariant> BrokenStores => new()
    {
        { StoreFlaw.IgnoresGeneration, Invariant.StoresAgree },
        { StoreFlaw.ForgetfulRevocation, Invariant.RevocationIsFinal },
        { StoreFlaw.IgnoresGeneration, Invariant.ReuseIsDetected },
        { StoreFlaw.SiblingMinting, Invariant.GraceIsIdempotentAndBounded },
        { StoreFlaw.SiblingMinting, Invariant.SingleLineage },
        { StoreFlaw.UncountedReplay, Invariant.GraceIsIdempotentAndBounded },
        { StoreFlaw.ExpiryOffByOne, Invariant.ExpiryHolds },
        { StoreFlaw.RevokeOnRefusal, Invariant.ClientBound },
        { StoreFlaw.IgnoresClient, Invariant.ClientBound },
        { StoreFlaw.RollbackOnRevoke, Invariant.GenerationsOnlyGrow },
        { StoreFlaw.CheckThenAct, Invariant.SingleLineage },
        { StoreFlaw.LostUpdate, Invariant.SingleLineage },
    };

    [Theory]
    [MemberData(nameof(BrokenStores))]
    public async Task The_suite_fails_on_a_broken_store_naming_the_invariant(StoreFlaw flaw, Invariant invariant)
    {
        var suite = new InvariantSuite(() => ValueTask.FromResult<IFamilyStore>(BrokenStore.Create(flaw)));

        var failure = await Assert.ThrowsAsync<InvariantViolationException>(() => Task.Run(() => suite.Check(invariant, cases: 300)));

        Assert.Equal(invariant, failure.Invariant);
        Assert.Contains($"{invariant.Describe()}:", failure.Message, StringComparison.Ordinal);
        Assert.Contains(PropertyRunSettings.ReplayVariable + "=", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_suite_fails_when_a_host_logs_the_token()
    {
        var suite = new InvariantSuite(() => ValueTask.FromResult<IFamilyStore>(new InMemoryFamilyStore())) { Flaw = HostFlaw.LogsTokens };

        var failure = await Assert.ThrowsAsync<InvariantViolationException>(() => Task.Run(() => suite.Check(Invariant.SecretsStaySecret, cases: 50)));

        Assert.Equal(Invariant.SecretsStaySecret, failure.Invariant);
        Assert.Contains("appears in captured output", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(RotationEngine.Tokens.TokenFormat.Prefix, failure.Message, StringComparison.Ordinal);
    }

    /// <summary>Invariant 6's teeth now that forgeries never reach a store: a "defensive" host that revokes the family a
    /// refused token names lets a forged string revoke it.</summary>
    [Fact]
    public async Task The_suite_fails_when_a_host_revokes_the_family_an_invalid_token_names()
    {
        var suite = new InvariantSuite(() => ValueTask.FromResult<IFamilyStore>(new InMemoryFamilyStore())) { Flaw = HostFlaw.RevokesOnInvalid };

        var failure = await Assert.ThrowsAsync<InvariantViolationException>(() => Task.Run(() => suite.Check(Invariant.ForgeryIsHarmless, cases: 100)));

        Assert.Equal(Invariant.ForgeryIsHarmless, failure.Invariant);
    }

    /// <summary>Invariant 12's teeth: a host that looks the token's family up before rotating makes forgery cost a store call.</summary>
    [Fact]
    public async Task The_suite_fails_when_a_host_looks_the_family_up_before_rotating()
    {
        var suite = new InvariantSuite(() => ValueTask.FromResult<IFamilyStore>(new InMemoryFamilyStore())) { Flaw = HostFlaw.LooksUpBeforeRotating };

        var failure = await Assert.ThrowsAsync<InvariantViolationException>(() => Task.Run(() => suite.Check(Invariant.ForgeryIsFree, cases: 100)));

        Assert.Equal(Invariant.ForgeryIsFree, failure.Invariant);
        Assert.Contains("store call", failure.Message, StringComparison.Ordinal);
        var exhaustive = await Assert.ThrowsAsync<InvariantViolationException>(suite.CheckEveryForgeryAsync);
        Assert.Contains(Invariant.ForgeryIsFree.Describe(), exhaustive.Message, StringComparison.Ordinal);
    }

    /// <summary>Invariant 14's teeth: a host whose sessions page reads the store's records directly shows a family a store
    /// writer moved into another user's list.</summary>
    [Fact]
    public async Task The_suite_fails_when_a_host_trusts_the_stores_records()
    {
        var suite = new InvariantSuite(() => ValueTask.FromResult<IFamilyStore>(new InMemoryFamilyStore())) { Flaw = HostFlaw.TrustsStoreRecords };

        var failure = await Assert.ThrowsAsync<InvariantViolationException>(() => Task.Run(() => suite.CheckSealed(cases: 300)));

        Assert.Equal(Invariant.Sealed, failure.Invariant);
        Assert.Contains("not the sealed", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>Invariant 15's teeth: version 1's default generation limit (20,000) ends a 5-minute refresher after 69 days.</summary>
    [Fact]
    public async Task The_suite_fails_on_a_generation_limit_that_ends_sessions_early()
    {
        var suite = new InvariantSuite(() => ValueTask.FromResult<IFamilyStore>(new InMemoryFamilyStore()), RotationPolicy.Default with { MaxGenerations = 20_000 });

        var failure = await Assert.ThrowsAsync<InvariantViolationException>(suite.CheckNoEarlyDeathAsync);

        Assert.Equal(Invariant.NoEarlyDeath, failure.Invariant);
        Assert.Contains("20,000", failure.Message, StringComparison.Ordinal);
        Assert.Contains("GenerationLimit", failure.Message, StringComparison.Ordinal);
    }
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

/// <summary>The exhaustive forgery check's teeth: a host that revokes the family a refused token names lets forgeries revoke.</summary>
public sealed class ExhaustiveForgeryHasTeethTests
{
    [Fact]
    public async Task The_exhaustive_forgery_check_fails_when_invalid_tokens_revoke()
    {
        var suite = new InvariantSuite(() => ValueTask.FromResult<IFamilyStore>(new InMemoryFamilyStore())) { Flaw = HostFlaw.RevokesOnInvalid };

        var failure = await Assert.ThrowsAsync<InvariantViolationException>(suite.CheckEveryForgeryAsync);

        Assert.Equal(Invariant.ForgeryIsHarmless, failure.Invariant);
        Assert.Contains("changed family 0", failure.Message, StringComparison.Ordinal);
    }
}
