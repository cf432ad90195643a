using RotationEngine;
using Simulator.Core;
using Simulator.Oracle;
using Simulator.Scenarios;
using Simulator.Stores;

namespace Simulator.Simulation;

/// <summary>
/// One deterministic run of a scenario under one policy: a single thread pops events in (virtual time,
/// sequence) order, every random draw comes from per-actor streams of one seed, and every engine instance
/// reads the virtual clock (shifted by its offset). The store calls complete synchronously, so the engine is
/// driven inline and no thread scheduling decides anything. The loop dispatches events to the honest clients
/// (<c>Simulation.Clients.cs</c>) and the thieves (<c>Simulation.Thieves.cs</c>); the <see cref="World"/> holds
/// who they are, the <see cref="Network"/> carries their requests, the <see cref="EngineServer"/> answers them (under a
/// bound policy through real DPoP proofs, <see cref="DPoPWire"/>).
/// </summary>
internal sealed partial class DeterministicSimulation : IDisposable
{
    private const long Second = 1000;
    private const long Minute = 60_000;
    private const long Hour = 3_600_000;
    private const long Day = 86_400_000;

    /// <summary>The OAuth client id of every honest client.</summary>
    public const string ClientId = World.ClientId;

    /// <summary>The client id a thief with a client registration of its own presents a stolen token under.</summary>
    public const string OtherClientId = World.OtherClientId;

    private readonly RunSpec _spec;
    private readonly Scenario _scenario;
    private readonly RotationPolicy _policy;
    private readonly VirtualClock _clock = new();
    private readonly EventQueue _queue = new();
    private readonly History _history;
    private readonly RunMetrics _metrics = new();
    private readonly ITokenServer _server;
    private readonly Network _network;
    private readonly World _world;
    private readonly DPoPWire? _dpop;
    private long _end;
    private readonly long _accessMs;
    private readonly long _jitterMs;
    private readonly long _retryMs;
    private readonly long _reloginMs;
    private readonly double[] _strategyWeights;
    private readonly bool _newestWins;
    private readonly Traffic.TrafficReader? _traffic;
    private readonly Dictionary<string, int>? _sessions;
    private Traffic.TrafficRecord _nextLine;
    private long _trafficBase = long.MinValue;
    private long _trafficLines;
    private long _progressMs;
    private InvariantViolation? _violation;

    public DeterministicSimulation(RunSpec spec, IStoreProvider stores)
    {
        _spec = spec;
        _scenario = ApplyFilter(spec.Scenario, spec.Filter);
        _policy = spec.Policy.ToRotationPolicy();
        _history = new History(spec.RecordFullHistory);
        _end = Math.Min(_scenario.DurationMs, spec.Filter.UntilMs ?? long.MaxValue);
        var population = _scenario.Population;
        _accessMs = (long)(population.AccessTokenLifetimeSeconds * Second);
        _jitterMs = (long)population.RefreshJitterMs;
        _retryMs = (long)population.RetryDelayMs;
        _reloginMs = (long)(population.ReloginDelaySeconds * Second);
        _newestWins = population.TokenStore == "newest";
        _strategyWeights = [Weight("immediate"), Weight("delayed"), Weight("repeated"), Weight("idleVictim")];
        _network = new Network(_scenario.Network, _queue, _clock, (long)population.ClientTimeoutMs);
        _server = spec.Policy.Peer is { } peer
            ? new Peers.PeerServer(Peers.PeerModel.Create(peer, spec.Policy), spec, _scenario.Servers, _policy, _clock, _queue, _history, _metrics)
            : new EngineServer(spec, _scenario.Servers, _policy, stores, _clock, _queue, _history, _metrics, _dpop = spec.Policy.Binding && !spec.ModelBinding ? new DPoPWire(_clock, _policy, spec.DPoPServices) : null);
        if (spec.TrafficFile is null)
        {
            _world = new World(spec, _scenario, _queue);
        }
        else
        {
            _world = new World();
            _sessions = new Dictionary<string, int>(StringComparer.Ordinal);
            _traffic = Traffic.TrafficReader.Open(spec.TrafficFile);
            _end = spec.Filter.UntilMs ?? long.MaxValue;
            ScheduleNextLine();
        }
    }

    /// <summary>Called every 65,536 traffic lines with the count so far (for a memory measurement).</summary>
    public Action<long>? TrafficProgress { get; set; }

    /// <summary>Virtual time reached (for the progress display; read from another thread).</summary>
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
                    OnSessionStart(_world.Clients[next.A], next.B);
                    break;
                case EventKind.SessionEnd:
                    OnSessionEnd(_world.Clients[next.A], next.B);
                    break;
                case EventKind.ViewTimer:
                    OnViewTimer(next.A, next.B);
                    break;
                case EventKind.SignIn:
                    OnSignIn(_world.Clients[next.A], next.B);
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
                    OnTheft(_world.Users[next.A]);
                    break;
                case EventKind.ThiefAct:
                    OnThiefAct(_world.Thieves[next.A]);
                    break;
                case EventKind.Restart:
                    _server.Restart(next.A);
                    break;
                case EventKind.TrafficLine:
                    OnTrafficLine();
                    break;
            }

            if ((++steps & 0x3FFF) == 0)
            {
                Volatile.Write(ref _progressMs, next.Time);
            }
        }

        Volatile.Write(ref _progressMs, _end);
        _metrics.StoreOperations = _server.StoreOperations;
        if (_dpop is not null)
        {
            _metrics.DPoPProofs = _dpop.ProofsMade;
            _metrics.DPoPChecks = _dpop.Checks;
            _metrics.DPoPRefusals = _dpop.Refusals;
        }

        var wall = TimeProvider.System.GetElapsedTime(started);
        return new RunResult(_spec, _metrics, _history.Hash, _history.Count, _violation, wall, _history.Entries(), _world.Clients.Count, _end);
    }

    public void Dispose()
    {
        _server.Dispose();
        _dpop?.Dispose();
        _traffic?.Dispose();
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
}
