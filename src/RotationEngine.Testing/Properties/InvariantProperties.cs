using RotationEngine.Storage;

namespace RotationEngine.Testing;

/// <summary>
/// The property suite of docs/semantics.md §7 as xunit tests. Subclass it with a factory for your store (and, to
/// test a policy change, your policy); every invariant then runs against it:
/// <code>
/// public sealed class MyStoreInvariants : InvariantProperties
/// {
///     protected override ValueTask&lt;IFamilyStore&gt; CreateStoreAsync() => ValueTask.FromResult&lt;IFamilyStore&gt;(new MyStore(…));
///     protected override RotationPolicy? Policy => RotationPolicy.Default with { GraceDepth = 2 };
/// }
/// </code>
/// </summary>
public abstract class InvariantProperties
{
    /// <summary>Returns a new, empty store. Called once per generated case; disposed after it when disposable.</summary>
    protected abstract ValueTask<IFamilyStore> CreateStoreAsync();

    /// <summary>The policy under test for every client, or null (the default) to generate policies.</summary>
    protected virtual RotationPolicy? Policy => null;

    /// <summary>Generated cases per invariant (before <see cref="PropertyRunSettings"/> scaling).</summary>
    protected virtual int Cases => 100;

    /// <summary>Everything the store persisted (e.g. its database file), scanned for secrets by invariant 7.
    /// The default returns nothing: the records the store returns are scanned in any case.</summary>
    protected virtual ValueTask<byte[]> ReadPersistedBytesAsync(IFamilyStore store) => ValueTask.FromResult(Array.Empty<byte>());

    /// <summary>Invariant 1.</summary>
    [Fact]
    public Task Invariant01_SingleLineage() => CheckAsync(Invariant.SingleLineage);

    /// <summary>Invariant 2.</summary>
    [Fact]
    public Task Invariant02_RevocationIsFinal() => CheckAsync(Invariant.RevocationIsFinal);

    /// <summary>Invariant 3.</summary>
    [Fact]
    public Task Invariant03_ReuseIsDetected() => CheckAsync(Invariant.ReuseIsDetected);

    /// <summary>Invariant 4.</summary>
    [Fact]
    public Task Invariant04_GraceIsIdempotentAndBounded() => CheckAsync(Invariant.GraceIsIdempotentAndBounded);

    /// <summary>Invariant 5.</summary>
    [Fact]
    public Task Invariant05_ExpiryHolds() => CheckAsync(Invariant.ExpiryHolds);

    /// <summary>Invariant 6.</summary>
    [Fact]
    public Task Invariant06_ForgeryIsHarmless() => CheckAsync(Invariant.ForgeryIsHarmless);

    /// <summary>Invariant 6, exhaustively on one family: every single-bit flip and truncation of real tokens.</summary>
    [Fact]
    public Task Invariant06_EveryBitFlipAndTruncationIsHarmless() => Task.Run(() => CreateSuite().CheckEveryForgeryAsync());

    /// <summary>Invariant 7.</summary>
    [Fact]
    public Task Invariant07_SecretsStaySecret() => CheckAsync(Invariant.SecretsStaySecret);

    /// <summary>Invariant 8 (model-based: every outcome must match the reference model).</summary>
    [Fact]
    public Task Invariant08_StoresAgree() => CheckAsync(Invariant.StoresAgree);

    /// <summary>Invariant 9 (CsCheck <c>SampleParallel</c>: concurrent calls on one family match a sequential order).</summary>
    [Fact]
    public Task Invariant09_Linearizable() => Task.Run(() => CreateSuite().CheckLinearizable(LinearizabilityIterations));

    /// <summary>Generated cases of the linearizability check (before <see cref="PropertyRunSettings"/> scaling).</summary>
    protected virtual int LinearizabilityIterations => 200;

    /// <summary>Invariant 9 for sign-ins racing ListFamilies and RevokeSubject (CsCheck <c>SampleParallel</c>).</summary>
    [Fact]
    public Task Invariant09_SignInsRacingListAndRevokeAreLinearizable() => Task.Run(() => CreateSuite().CheckSignInsLinearizable(LinearizabilityIterations / 2));

    /// <summary>Invariant 11.</summary>
    [Fact]
    public Task Invariant11_GenerationsOnlyGrow() => CheckAsync(Invariant.GenerationsOnlyGrow);

    /// <summary>Invariant 12 (model-based: every forged string is refused with no store call).</summary>
    [Fact]
    public Task Invariant12_ForgeryIsFree() => CheckAsync(Invariant.ForgeryIsFree);

    /// <summary>Invariant 13 (model-based: presentations by the other client change nothing).</summary>
    [Fact]
    public Task Invariant13_ClientBound() => CheckAsync(Invariant.ClientBound);

    /// <summary>Invariant 14 (records edited outside the engine, against the same presentation on the unedited one).</summary>
    [Fact]
    public Task Invariant14_Sealed() => Task.Run(() => CreateSuite().CheckSealed(Cases));

    /// <summary>Invariant 15 (a session refreshing every 5 minutes lives its whole family lifetime).</summary>
    [Fact]
    public Task Invariant15_NoEarlyDeath() => Task.Run(() => CreateSuite().CheckNoEarlyDeathAsync());

    /// <summary>Builds the suite this class runs.</summary>
    protected InvariantSuite CreateSuite() => new(CreateStoreAsync, Policy, ReadPersistedBytesAsync);

    private Task CheckAsync(Invariant invariant) =>
        // Off the test's synchronization context: the machine blocks on the store's tasks.
        Task.Run(() => CreateSuite().Check(invariant, Cases));
}
