using System.Security.Cryptography;
using RotationEngine;
using RotationEngine.Keys;
using RotationEngine.Storage;
using RotationEngine.Testing;
using Simulator.Core;
using Simulator.Oracle;
using Simulator.Scenarios;
using Simulator.Stores;

namespace Simulator.Simulation;

/// <summary>
/// The server side of a run: the engine instances (each with its own clock offset and store handle, restarted
/// now and then), then the history entry of each answer, then the oracle's check of it. The network hands it
/// requests; it knows nothing of who sent them beyond the history's process id. Under a bound policy each sign-in
/// and each arrival first goes through the shipped DPoP binding source (<see cref="DPoPWire"/>): the engine gets the
/// proof's key thumbprint, and a refused proof (a replay) never reaches the engine, as at the real token endpoint.
/// </summary>
internal sealed class EngineServer : ITokenServer
{
    private const long Day = 86_400_000;

    private readonly VirtualClock _clock;
    private readonly EventQueue _queue;
    private readonly History _history;
    private readonly RunMetrics _metrics;
    private readonly IStoreProvider _stores;
    private readonly ServerSettings _settings;
    private readonly InvariantOracle _oracle = new();
    private readonly StoreCallCounter _storeOperations = new();
    private readonly RotationEngineOptions _engineOptions;
    private readonly KeyRing _keyRing;
    private readonly InstanceTimeProvider[] _instanceClocks;
    private readonly RefreshTokenEngine[] _engines;
    private readonly IFamilyStore[] _handles;
    private readonly Prng[] _restartRng;
    private readonly DPoPWire? _dpop;

    /// <summary>Starts the scenario's instances and schedules their first restarts (draws from streams 4, 5 and 6).</summary>
    /// <param name="dpop">The DPoP glue of a bound policy (its servers are started here, one per instance), or null.</param>
    public EngineServer(RunSpec spec, ServerSettings settings, RotationPolicy policy, IStoreProvider stores, VirtualClock clock, EventQueue queue, History history, RunMetrics metrics, DPoPWire? dpop = null)
    {
        _dpop = dpop;
        _settings = settings;
        _stores = stores;
        _clock = clock;
        _queue = queue;
        _history = history;
        _metrics = metrics;
        _engineOptions = new RotationEngineOptions { DefaultPolicy = policy };
        var keyRng = Prng.ForStream(spec.Seed, 6, 0);
        Span<byte> material = stackalloc byte[ChainKey.MinimumSize];
        for (var i = 0; i < material.Length; i++)
        {
            material[i] = (byte)keyRng.NextUInt64();
        }

        _keyRing = new KeyRing([new ChainKey("sim", material)]);
        CryptographicOperations.ZeroMemory(material);

        var instances = settings.Instances;
        var serverRng = Prng.ForStream(spec.Seed, 4, 0);
        _instanceClocks = new InstanceTimeProvider[instances];
        _engines = new RefreshTokenEngine[instances];
        _handles = new IFamilyStore[instances];
        _restartRng = new Prng[instances];
        for (var i = 0; i < instances; i++)
        {
            var offset = (long)Math.Round((serverRng.NextDouble() * 2 - 1) * settings.MaxClockOffsetMs);
            _instanceClocks[i] = new InstanceTimeProvider(clock, offset);
            _handles[i] = stores.Open();
            _engines[i] = CreateEngine(i);
            _restartRng[i] = Prng.ForStream(spec.Seed, 5, (ulong)i);
            if (settings.RestartsPerDay > 0)
            {
                queue.Schedule(_restartRng[i].Exponential(Day / settings.RestartsPerDay), EventKind.Restart, i);
            }
        }

        dpop?.StartServers(_instanceClocks);
    }

    public int Instances => _engines.Length;

    /// <summary>Store calls made by every instance so far.</summary>
    public long StoreOperations => _storeOperations.Count;

    /// <summary>The instance's clock (Unix ms of virtual time plus its offset).</summary>
    public long NowAt(int instance) => _instanceClocks[instance].NowMs;

    /// <summary>Signs a client in on <paramref name="instance"/>: bound to <paramref name="binding"/>, or under DPoP to
    /// the thumbprint of the key that signed <paramref name="proof"/>.</summary>
    public IssuedFamily Issue(int instance, string subject, string clientId, string? binding, string? proof)
    {
        if (_dpop is not null)
        {
            var proven = _dpop.Check(instance, proof, clientId);
            binding = proven.Error is null ? proven.Value : throw new InvalidOperationException($"A sign-in's fresh DPoP proof was refused ({proven.Error}).");
        }

        var issued = Complete(_engines[instance].IssueAsync(subject, clientId, binding));
        return new IssuedFamily(issued.Token, issued.FamilyId);
    }

    /// <summary>A forged string on the real token format (<see cref="TokenForger"/>).</summary>
    public string Forge(string token, ref Prng rng, out Forgery kind) => TokenForger.Tamper(token, ref rng, out kind);

    /// <summary>Answers one arrival of <paramref name="request"/> on its instance, records it and checks it. Null
    /// when the store failed (nobody learns the outcome); otherwise the answer, and a violation if the oracle
    /// disagrees with it.</summary>
    public ServerAnswer? Serve(in Request request, FamilyModel family, int process, out InvariantViolation? violation)
    {
        violation = null;
        var instance = request.Instance;
        var now = _instanceClocks[instance].NowMs;
        var attack = request.Forgery != Forgery.None;
        var before = attack ? Complete(_handles[instance].FindAsync(family.EngineId)) : null;
        var storeCallsBefore = _storeOperations.Count;
        var binding = request.Binding;
        RotationResult result;
        try
        {
            if (_dpop is not null)
            {
                var proven = _dpop.Check(instance, request.Proof, request.ClientId);

                // Every proof is fresh and in its window when it is first sent: exactly its later arrivals (duplicates
                // on the wire) are replays the validator must refuse.
                var replay = request.Proof is not null && request.Arrivals > 1;
                if (replay != (proven.Error is not null))
                {
                    violation = new InvariantViolation(0, replay ? $"family #{family.Id}: a replayed DPoP proof was accepted" : $"family #{family.Id}: a fresh DPoP proof was refused ({proven.Error})", now, family.Id);
                    return ServerAnswer.ProofRefused;
                }

                if (replay)
                {
                    _history.Add(new HistoryEntry(_clock.NowMs, EntryType.ProofRefused, process, family.Id, request.Generation, default, default, 0, instance));
                    return ServerAnswer.ProofRefused;
                }

                binding = proven.Value;
            }

            result = Complete(_engines[instance].RotateAsync(request.Token, request.ClientId, binding));
        }
        catch (RotationStoreException)
        {
            _metrics.StoreFaults++;
            return null;
        }

        _metrics.ServerRequests++;
        _metrics.Outcomes[(int)result.Outcome]++;
        _metrics.Causes[(int)result.Cause]++;
        var storeCalls = _storeOperations.Count - storeCallsBefore;
        if (request.Forgery is not (Forgery.None or Forgery.OtherClient))
        {
            _metrics.ForgedStoreCalls += storeCalls;
        }

        var unchanged = before is null || SameState(before, Complete(_handles[instance].FindAsync(family.EngineId)));
        _history.Add(new HistoryEntry(_clock.NowMs, EntryType.Serve, process, family.Id, request.Generation, result.Outcome, result.Cause, result.Generation, instance));
        violation = _oracle.Check(family, new Presentation(request.Generation, request.Binding, request.Forgery), now, result, unchanged, storeCalls);
        return new ServerAnswer(result.Outcome, result.Cause, result.Generation, result.Token);
    }

    /// <summary>Restarts an instance (a new engine on a freshly opened store handle) and schedules its next restart.</summary>
    public void Restart(int instance)
    {
        _stores.Close(_handles[instance]);
        _handles[instance] = _stores.Open();
        _engines[instance] = CreateEngine(instance);
        _metrics.Restarts++;
        _history.Add(new HistoryEntry(_clock.NowMs, EntryType.Restart, -instance - 1, -1, 0, default, default, 0, instance));
        _queue.Schedule(_clock.NowMs + 1 + _restartRng[instance].Exponential(Day / _settings.RestartsPerDay), EventKind.Restart, instance);
    }

    public void Dispose()
    {
        foreach (var handle in _handles)
        {
            _stores.Close(handle);
        }
    }

    private static bool SameState(FamilyRecord before, FamilyRecord? after) =>
        after is not null
        && before.Generation == after.Generation
        && before.Status == after.Status
        && before.TokenExpiresAt == after.TokenExpiresAt
        && before.RevokedAt == after.RevokedAt
        && string.Equals(before.Ledger, after.Ledger, StringComparison.Ordinal)
        && before.Digest.AsSpan().SequenceEqual(after.Digest)
        && before.Seal.AsSpan().SequenceEqual(after.Seal);

    private RefreshTokenEngine CreateEngine(int instance) =>
        new(new CountingFamilyStore(_handles[instance], _storeOperations), _engineOptions, _keyRing, _instanceClocks[instance]);

    /// <summary>Takes a store call's result. The loop is single-threaded: an in-memory store must have
    /// finished; a database store that did not is waited for (nothing else runs meanwhile).</summary>
    private T Complete<T>(ValueTask<T> pending)
    {
        if (pending.IsCompleted)
        {
            return pending.Result;
        }

        if (_stores.CompletesSynchronously)
        {
            throw new InvalidOperationException("An engine call on the in-memory store did not complete synchronously; the deterministic loop cannot wait for it.");
        }

        return pending.AsTask().GetAwaiter().GetResult();
    }
}
