using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using RotationEngine.Keys;
using RotationEngine.Storage;
using RotationEngine.Testing.Harness;

namespace RotationEngine.Testing.Linearizability;

/// <summary>
/// The state CsCheck's <c>SampleParallel</c> runs sign-ins, "active sessions" and "sign out everywhere" of one user on
/// concurrently (invariant 9: Issue racing RevokeSubject and ListFamilies). Answers are folded into the state, with the
/// number of the user's families that are still active and those that can still rotate, so that a sign-in lost from
/// the subject's index (still rotating after a later revocation, or missing from a later list) matches no sequential order.
/// </summary>
internal sealed class OneSubject : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _answers = new();
    private readonly ConcurrentQueue<IssueResult> _issued = new();
    private readonly IFamilyStore _store;
    private readonly RefreshTokenEngine _engine;

    private OneSubject(IFamilyStore store, RefreshTokenEngine engine)
    {
        _store = store;
        _engine = engine;
    }

    public static OneSubject Create(Func<ValueTask<IFamilyStore>> createStore, int signedIn)
    {
        var store = createStore().AsTask().GetAwaiter().GetResult();
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(Model.ModelSettings.Epoch)) { AutoAdvanceAmount = TimeSpan.Zero };
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions(), new KeyRing([new ChainKey("k1", RandomNumberGenerator.GetBytes(32))]), time);
        var state = new OneSubject(store, engine);
        for (var i = 0; i < signedIn; i++)
        {
            state._issued.Enqueue(engine.IssueAsync("alice", "web").AsTask().GetAwaiter().GetResult());
        }

        return state;
    }

    public async Task IssueAsync()
    {
        _issued.Enqueue(await _engine.IssueAsync("alice", "web").ConfigureAwait(false));
        _answers.Enqueue("Issue");
    }

    public async Task ListAsync() =>
        _answers.Enqueue($"List: {(await _engine.ListFamiliesAsync("alice").ConfigureAwait(false)).Count}");

    public async Task RevokeSubjectAsync() =>
        _answers.Enqueue($"RevokeSubject: {await _engine.RevokeSubjectAsync("alice", RevocationReason.CredentialsChanged).ConfigureAwait(false)}");

    /// <summary>What every caller was told, sorted, and how many of the user's families are listed and still rotate.</summary>
    public string Summary()
    {
        var listed = _engine.ListFamiliesAsync("alice").AsTask().GetAwaiter().GetResult().Count;
        var live = _issued.Count(f => _engine.InspectAsync(f.Token, "web").AsTask().GetAwaiter().GetResult().Outcome == RotationOutcome.Rotated);
        return $"families {_issued.Count}, listed {listed}, rotatable {live}; answers [{string.Join("; ", _answers.Order(StringComparer.Ordinal))}]";
    }

    public override string ToString() => Summary();

    public async ValueTask DisposeAsync()
    {
        await StoreDisposal.DisposeAsync(_store).ConfigureAwait(false);
    }
}
