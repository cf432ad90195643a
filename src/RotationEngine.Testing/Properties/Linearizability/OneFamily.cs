using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using RotationEngine.Keys;
using RotationEngine.Storage;
using RotationEngine.Testing.Harness;

namespace RotationEngine.Testing.Linearizability;

/// <summary>
/// The state CsCheck's <c>SampleParallel</c> runs concurrent operations on (invariant 9): one family on a fresh
/// store, rotated a few times so that its current token and a few retired ones are in hand, with the clock
/// stopped. Every operation folds its answer into the state, so that comparing final states compares what every
/// caller was told; tokens are compared by identity within a run, never by value across runs.
/// </summary>
internal sealed class OneFamily : IAsyncDisposable
{
    /// <summary>Policies the runs alternate between: grace with unlimited replays, grace with a replay limit and
    /// depth 2, strict rotation, and a family at its generation limit.</summary>
    public static readonly RotationPolicy[] Policies =
    [
        new() { TokenLifetime = TimeSpan.FromHours(1), GraceWindow = TimeSpan.FromSeconds(10) },
        new() { TokenLifetime = TimeSpan.FromHours(1), GraceWindow = TimeSpan.FromSeconds(10), GraceDepth = 2, GraceMaxReplays = 2 },
        new() { TokenLifetime = TimeSpan.FromHours(1), GraceWindow = TimeSpan.Zero },
        new() { TokenLifetime = TimeSpan.FromHours(1), GraceWindow = TimeSpan.FromSeconds(10), MaxGenerations = 3 },
        new() { TokenLifetime = TimeSpan.FromHours(1), GraceWindow = TimeSpan.FromSeconds(10), GraceDepth = 3, GraceMaxReplays = 1 },
    ];

    private readonly ConcurrentQueue<string> _answers = new();
    private readonly ConcurrentDictionary<string, int> _handedOut = new(StringComparer.Ordinal);
    private readonly IFamilyStore _store;
    private readonly RefreshTokenEngine _engine;
    private readonly string[] _tokens;
    private readonly FamilyId _id;
    private readonly int _policy;

    private OneFamily(IFamilyStore store, RefreshTokenEngine engine, string[] tokens, FamilyId id, int policy)
    {
        _store = store;
        _engine = engine;
        _tokens = tokens;
        _id = id;
        _policy = policy;
    }

    public static OneFamily Create(Func<ValueTask<IFamilyStore>> createStore, int policy, int rotations) =>
        CreateAsync(createStore, policy, rotations).AsTask().GetAwaiter().GetResult();

    private static async ValueTask<OneFamily> CreateAsync(Func<ValueTask<IFamilyStore>> createStore, int policy, int rotations)
    {
        var store = await createStore().ConfigureAwait(false);
        var options = new RotationEngineOptions { DefaultPolicy = Policies[policy] };
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(Model.ModelSettings.Epoch));
        var engine = new RefreshTokenEngine(store, options, new KeyRing([new ChainKey("k1", RandomNumberGenerator.GetBytes(32))]), time);
        var issued = await engine.IssueAsync("alice", "web").ConfigureAwait(false);
        var tokens = new List<string> { issued.Token };
        for (var i = 0; i < rotations; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            var rotated = await engine.RotateAsync(tokens[^1], "web").ConfigureAwait(false);
            if (rotated.Token is null)
            {
                break;
            }

            tokens.Add(rotated.Token);
        }

        return new OneFamily(store, engine, [.. tokens], issued.FamilyId, policy);
    }

    /// <summary>The token <paramref name="behind"/> generations behind the newest one held at setup.</summary>
    private string Token(int behind) => _tokens[Math.Max(0, _tokens.Length - 1 - behind)];

    public async Task RotateAsync(int behind)
    {
        var result = await _engine.RotateAsync(Token(behind), "web").ConfigureAwait(false);
        if (result.Token is not null)
        {
            _handedOut.AddOrUpdate(result.Token, 1, (_, n) => n + 1);
        }

        // A revoking answer reports the generation the engine read before its revocation, which a racing rotation
        // may have moved on since (the store's revocation is not conditional on the generation): not compared.
        var generation = result.Outcome is RotationOutcome.ReuseDetected or RotationOutcome.BindingMismatch ? "" : $" gen {result.Generation}";
        _answers.Enqueue($"Rotate({behind} behind): {result.Outcome}{generation}");
    }

    public async Task RevokeAsync(int behind) =>
        _answers.Enqueue($"Revoke({behind} behind): {await _engine.RevokeAsync(Token(behind)).ConfigureAwait(false)}");

    public async Task InspectAsync(int behind) =>
        _answers.Enqueue($"Inspect({behind} behind): {(await _engine.InspectAsync(Token(behind)).ConfigureAwait(false)).Outcome}");

    /// <summary>What every caller was told, sorted, and the family's final state.</summary>
    public string Summary()
    {
        var family = _store.FindAsync(_id).AsTask().GetAwaiter().GetResult();
        var rotatedPerGeneration = _answers.Where(a => a.Contains(": Rotated", StringComparison.Ordinal))
            .GroupBy(a => a[a.LastIndexOf(' ')..]).Max(g => (int?)g.Count()) ?? 0;
        return $"policy {_policy}; family {family?.Status} gen {family?.Generation}; distinct tokens handed out {_handedOut.Count}; "
            + $"most Rotated for one generation {rotatedPerGeneration}; answers [{string.Join("; ", _answers.Order(StringComparer.Ordinal))}]";
    }

    public override string ToString() => Summary();

    public async ValueTask DisposeAsync()
    {
        await StoreDisposal.DisposeAsync(_store).ConfigureAwait(false);
    }
}
