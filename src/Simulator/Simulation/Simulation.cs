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
/// One deterministic run of a scenario under one policy: a single thread pops events in (virtual time,
/// sequence) order, every random draw comes from per-actor streams of one seed, and every engine instance
/// reads the virtual clock (shifted by its offset). The store calls complete synchronously, so the engine is
/// driven inline and no thread scheduling decides anything.
/// </summary>
internal sealed partial class DeterministicSimulation : IDisposable
{
    private const long Second = 1000;
    private const long Minute = 60_000;
    private const long Hour = 3_600_000;
    private const long Day = 86_400_000;

    /// <summary>The OAuth client id of every honest client (one application; its users' browsers and devices).</summary>
    public const string ClientId = "app";

    /// <summary>The client id a thief with a client registration of its own presents a stolen token under.</summary>
    public const string OtherClientId = "other-app";

    private readonly RunSpec _spec;
    private readonly Scenario _scenario;
    private readonly RotationPolicy _policy;
    private readonly VirtualClock _clock = new();
    private readonly EventQueue _queue = new();
    private readonly InvariantOracle _oracle = new();
    private readonly History _history;
    private readonly RunMetrics _metrics = new();
    private readonly IStoreProvider _stores;
    private readonly StoreCallCounter _storeOperations = new();
    private readonly RotationEngineOptions _engineOptions;
    private readonly KeyRing _keyRing;
    private readonly InstanceTimeProvider[] _instanceClocks;
    private readonly RefreshTokenEngine[] _engines;
    private readonly IFamilyStore[] _handles;
    private readonly Prng[] _restartRng;
    private readonly UserState[] _users;
    private readonly ClientState[] _clients;
    private readonly int[] _viewClient;
    private readonly int[] _viewTicket;
    private readonly bool[] _viewWaiting;
    private readonly List<FamilyModel> _families = [];
    private readonly List<ThiefState> _thieves = [];
    private readonly long _end;
    private readonly long _accessMs;
    private readonly long _jitterMs;
    private readonly long _timeoutMs;
    private readonly long _retryMs;
    private readonly long _reloginMs;
    private readonly double[] _strategyWeights;
    private Request[] _requests = new Request[1024];
    private int[] _freeRequests = new int[1024];
    private int _freeCount;
    private int _requestCount;
    private long _progressMs;
    private InvariantViolation? _violation;

    public DeterministicSimulation(RunSpec spec, IStoreProvider stores)
    {
        _spec = spec;
        _scenario = ApplyFilter(spec.Scenario, spec.Filter);
        _policy = spec.Policy.ToRotationPolicy();
        _stores = stores;
        _history = new History(spec.RecordFullHistory);
        _end = Math.Min(_scenario.DurationMs, spec.Filter.UntilMs ?? long.MaxValue);
        var population = _scenario.Population;
        _accessMs = (long)(population.AccessTokenLifetimeSeconds * Second);
        _jitterMs = (long)population.RefreshJitterMs;
        _timeoutMs = (long)population.ClientTimeoutMs;
        _retryMs = (long)population.RetryDelayMs;
        _reloginMs = (long)(population.ReloginDelaySeconds * Second);
        _strategyWeights = [Weight("immediate"), Weight("delayed"), Weight("repeated"), Weight("idleVictim")];

        _engineOptions = new RotationEngineOptions { DefaultPolicy = _policy };
        var keyRng = Prng.ForStream(spec.Seed, 6, 0);
        Span<byte> material = stackalloc byte[ChainKey.MinimumSize];
        for (var i = 0; i < material.Length; i++)
        {
            material[i] = (byte)keyRng.NextUInt64();
        }

        _keyRing = new KeyRing([new ChainKey("sim", material)]);
        CryptographicOperations.ZeroMemory(material);

        var instances = _scenario.Servers.Instances;
        var serverRng = Prng.ForStream(spec.Seed, 4, 0);
        _instanceClocks = new InstanceTimeProvider[instances];
        _engines = new RefreshTokenEngine[instances];
        _handles = new IFamilyStore[instances];
        _restartRng = new Prng[instances];
        for (var i = 0; i < instances; i++)
        {
            var offset = (long)Math.Round((serverRng.NextDouble() * 2 - 1) * _scenario.Servers.MaxClockOffsetMs);
            _instanceClocks[i] = new InstanceTimeProvider(_clock, offset);
            _handles[i] = stores.Open();
            _engines[i] = CreateEngine(i);
            _restartRng[i] = Prng.ForStream(spec.Seed, 5, (ulong)i);
            if (_scenario.Servers.RestartsPerDay > 0)
            {
                _queue.Schedule(_restartRng[i].Exponential(Day / _scenario.Servers.RestartsPerDay), EventKind.Restart, i);
            }
        }

        var userIds = spec.Filter.OnlyUsers ?? Enumerable.Range(0, population.Users).ToList();
        var users = new List<UserState>(userIds.Count);
        var clients = new List<ClientState>();
        var views = 0;
        foreach (var userId in userIds)
        {
            var userRng = Prng.ForStream(spec.Seed, 1, (ulong)userId);
            var clientCount = (int)userRng.Between(population.ClientsPerUserMin, population.ClientsPerUserMax);
            var user = new UserState { Id = userId, FirstClient = clients.Count, ClientCount = clientCount, TheftRng = Prng.ForStream(spec.Seed, 3, (ulong)userId) };
            users.Add(user);
            for (var k = 0; k < clientCount; k++)
            {
                var rng = Prng.ForStream(spec.Seed, 2, (ulong)(userId * 16 + k));
                var singleFlight = rng.Chance(population.SingleFlightShare);
                var viewCount = (int)rng.Between(population.ViewsPerClientMin, population.ViewsPerClientMax);
                var client = new ClientState
                {
                    Index = clients.Count,
                    Key = userId * 16 + k,
                    User = users.Count - 1,
                    Subject = $"user-{userId}",
                    ClientId = ClientId,
                    Binding = $"device-{userId}-{k}",
                    SingleFlight = singleFlight,
                    FirstView = views,
                    ViewCount = viewCount,
                    Rng = rng,
                };
                views += viewCount;
                clients.Add(client);
                _queue.Schedule(client.Rng.Between(0, (long)(population.IdleHoursMax * Hour)), EventKind.SessionStart, client.Index, 1);
            }

            var theftRate = _scenario.Attackers.TheftsPerThousandUserDays / 1000.0;
            if (theftRate > 0)
            {
                _queue.Schedule(user.TheftRng.Exponential(Day / theftRate), EventKind.Theft, users.Count - 1);
            }
        }

        _users = [.. users];
        _clients = [.. clients];
        _viewClient = new int[views];
        _viewTicket = new int[views];
        _viewWaiting = new bool[views];
        foreach (var client in _clients)
        {
            for (var v = 0; v < client.ViewCount; v++)
            {
                _viewClient[client.FirstView + v] = client.Index;
            }
        }
    }

    /// <summary>Virtual time reached (for the progress bar; read from another thread).</summary>
    public long ProgressMs => Volatile.Read(ref _progressMs);

    public long EndMs => _end;

    public RunResult Run()
    {
        var started = TimeProvider.System.GetTimestamp();
        long steps = 0;
        while (_violation is null && _queue.TryDequeue(out var next))
        {
            if (next.Time >= _end)
            {
                break;
            }

            _clock.NowMs = next.Time;
            switch (next.Kind)
            {
                case EventKind.SessionStart:
                    OnSessionStart(_clients[next.A], next.B);
                    break;
                case EventKind.SessionEnd:
                    OnSessionEnd(_clients[next.A], next.B);
                    break;
                case EventKind.ViewTimer:
                    OnViewTimer(next.A, next.B);
                    break;
                case EventKind.SignIn:
                    OnSignIn(_clients[next.A], next.B);
                    break;
                case EventKind.RequestArrive:
                    OnRequestArrive(next.A, duplicate: next.B != 0);
                    break;
                case EventKind.ResponseArrive:
                    OnResponseArrive(next.A);
                    break;
                case EventKind.RequestTimeout:
                    OnRequestTimeout(next.A);
                    break;
                case EventKind.Theft:
                    OnTheft(_users[next.A]);
                    break;
                case EventKind.ThiefAct:
                    OnThiefAct(_thieves[next.A]);
                    break;
                case EventKind.Restart:
                    OnRestart(next.A);
                    break;
            }

            if ((++steps & 0x3FFF) == 0)
            {
                Volatile.Write(ref _progressMs, next.Time);
            }
        }

        Volatile.Write(ref _progressMs, _end);
        _metrics.StoreOperations = _storeOperations.Count;
        var wall = TimeProvider.System.GetElapsedTime(started);
        return new RunResult(_spec, _metrics, _history.Hash, _history.Count, _violation, wall, _history.Entries(), _clients.Length, _end);
    }

    public void Dispose()
    {
        foreach (var handle in _handles)
        {
            _stores.Close(handle);
        }
    }

    private static Scenario ApplyFilter(Scenario scenario, RunFilter filter)
    {
        if (filter == RunFilter.None)
        {
            return scenario;
        }

        var copy = scenario.Clone();
        if (filter.NoAttackers)
        {
            copy.Attackers.TheftsPerThousandUserDays = 0;
        }

        if (filter.NoForgery)
        {
            copy.Attackers.ForgeryShare = 0;
        }

        if (filter.NoNetworkFaults)
        {
            copy.Network.RequestLossRate = 0;
            copy.Network.ResponseLossRate = 0;
            copy.Network.DuplicateRate = 0;
            copy.Network.ReorderRate = 0;
        }

        if (filter.NoRestarts)
        {
            copy.Servers.RestartsPerDay = 0;
        }

        if (filter.SingleInstance)
        {
            copy.Servers.Instances = 1;
            copy.Servers.MaxClockOffsetMs = 0;
        }

        return copy;
    }

    private double Weight(string strategy) => _scenario.Attackers.Strategies.TryGetValue(strategy, out var weight) ? weight : 0;

    private RefreshTokenEngine CreateEngine(int instance) =>
        new(new CountingFamilyStore(_handles[instance], _storeOperations), _engineOptions, _keyRing, _instanceClocks[instance]);

    private void OnRestart(int instance)
    {
        _stores.Close(_handles[instance]);
        _handles[instance] = _stores.Open();
        _engines[instance] = CreateEngine(instance);
        _metrics.Restarts++;
        _history.Add(new HistoryEntry(_clock.NowMs, EntryType.Restart, -instance - 1, -1, 0, default, default, 0, instance));
        _queue.Schedule(_clock.NowMs + 1 + _restartRng[instance].Exponential(Day / _scenario.Servers.RestartsPerDay), EventKind.Restart, instance);
    }

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
