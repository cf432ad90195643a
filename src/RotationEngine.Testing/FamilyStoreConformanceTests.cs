using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RotationEngine.Keys;
using RotationEngine.Storage;

namespace RotationEngine.Testing;

/// <summary>
/// The store conformance suite: every outcome, operation and policy edge of docs/semantics.md, run through the
/// engine against the store <see cref="CreateStoreAsync"/> makes, plus direct checks of the store contract and of
/// records edited outside the engine (copied, changed, into a fresh store).
/// Subclass it once per store (or per policy you want to check) with a factory; xunit runs every test of it.
/// </summary>
/// <example>
/// <code>
/// public sealed class MyStoreConformance : FamilyStoreConformanceTests
/// {
///     protected override ValueTask&lt;IFamilyStore&gt; CreateStoreAsync() => ValueTask.FromResult&lt;IFamilyStore&gt;(new MyStore(...));
/// }
/// </code>
/// </example>
public abstract partial class FamilyStoreConformanceTests : IAsyncLifetime
{
    private readonly List<IFamilyStore> _stores = [];
    private readonly ILoggerFactory _loggerFactory;

    /// <summary>Creates the suite.</summary>
    protected FamilyStoreConformanceTests()
    {
        _loggerFactory = LoggerFactory.Create(builder => builder.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
    }

    /// <summary>The clock every engine of a test reads (2026-01-01T00:00:00Z at the start).</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>Everything the engines of a test logged.</summary>
    protected CapturingLoggerProvider Logs { get; } = new();

    /// <summary>Every event the engines of a test published.</summary>
    protected RecordingObserver Events { get; } = new();

    /// <summary>The test's store (made by <see cref="CreateStoreAsync"/> before each test).</summary>
    protected IFamilyStore Store { get; private set; } = null!;

    /// <summary>The policy the suite's engines use unless a test sets its own: 1 hour idle, 1 day absolute,
    /// 10 s grace window, depth 1, unlimited replays, binding mismatch revokes, 1,000 generations.
    /// Override to run the suite under your own policy (tests that need a specific rule set it themselves).</summary>
    protected virtual RotationPolicy Policy { get; } = new()
    {
        TokenLifetime = TimeSpan.FromHours(1),
        FamilyLifetime = TimeSpan.FromDays(1),
        GraceWindow = TimeSpan.FromSeconds(10),
        GraceDepth = 1,
        BindingMismatchRevokes = true,
        MaxGenerations = 1_000,
    };

    /// <summary>Makes a new, empty store. Called before each test and again by tests that need a second store.
    /// Stores that are <see cref="IAsyncDisposable"/> or <see cref="IDisposable"/> are disposed after the test.</summary>
    protected abstract ValueTask<IFamilyStore> CreateStoreAsync();

    /// <inheritdoc />
    public virtual async Task InitializeAsync() => Store = await NewStoreAsync();

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            if (store is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else if (store is IDisposable disposable)
            {
                disposable.Dispose();
            }
        }

        _loggerFactory.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Makes another store and disposes it after the test.</summary>
    protected async ValueTask<IFamilyStore> NewStoreAsync()
    {
        var store = await CreateStoreAsync();
        _stores.Add(store);
        return store;
    }

    /// <summary>The client id <see cref="IssueAsync"/> issues to and <see cref="ExpectAsync"/> presents.</summary>
    protected const string Client = "web";

    /// <summary>An engine on the test's store (or <paramref name="store"/>), clock, logs and events.</summary>
    protected RefreshTokenEngine CreateEngine(
        RotationPolicy? policy = null,
        IKeyRing? keys = null,
        IFamilyStore? store = null,
        TimeProvider? time = null,
        Action<RotationEngineOptions>? configure = null)
    {
        var options = new RotationEngineOptions { DefaultPolicy = policy ?? Policy };
        configure?.Invoke(options);
        return new RefreshTokenEngine(store ?? Store, options, keys ?? TestKeys.Ring, time ?? Time, _loggerFactory, [Events]);
    }

    /// <summary>Everything about a family that a forged token must not change, as text.</summary>
    protected async Task<string> StateOf(FamilyId id, IFamilyStore? store = null)
    {
        var family = await (store ?? Store).FindAsync(id);
        return family is null ? "absent" : Describe(family);
    }

    /// <summary>A family as text: every property, digest and seal included.</summary>
    protected static string Describe(FamilyRecord family) =>
        $"{family} subject={family.Subject} metadata={family.Metadata} digest={Convert.ToHexString(family.Digest)} seal={Convert.ToHexString(family.Seal)} ledger={family.Ledger} created={family.CreatedAt:O} tokenExp={family.TokenExpiresAt:O} famExp={family.FamilyExpiresAt:O} revokedAt={family.RevokedAt:O} reason={family.RevocationReason} key={family.KeyId} binding={family.Binding} policy={family.Policy}";

    /// <summary>A fresh store (disposed after the test) holding only <paramref name="edited"/>: what a store writer who
    /// changed a record leaves behind, for any store.</summary>
    protected async Task<IFamilyStore> StoreHoldingAsync(FamilyRecord edited)
    {
        var store = await NewStoreAsync();
        await store.CreateAsync(edited);
        return store;
    }

    /// <summary>Issues a family for "alice" on client <see cref="Client"/>.</summary>
    protected static ValueTask<IssueResult> IssueAsync(RefreshTokenEngine engine, string? binding = null) =>
        engine.IssueAsync("alice", Client, binding, metadata: "scope=openid offline_access");

    /// <summary>Rotates as <paramref name="client"/> (default <see cref="Client"/>) and asserts the outcome.</summary>
    protected static async Task<RotationResult> ExpectAsync(RefreshTokenEngine engine, string? token, RotationOutcome expected, string? binding = null, string client = Client)
    {
        var result = await engine.RotateAsync(token, client, binding);
        Assert.True(expected == result.Outcome, $"Expected {expected} but got {result}.");
        if (result.Succeeded)
        {
            Assert.NotNull(result.Token);
        }
        else
        {
            Assert.Null(result.Token);
        }

        return result;
    }
}
