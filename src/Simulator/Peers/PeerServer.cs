using System.Globalization;
using RotationEngine;
using Simulator.Core;
using Simulator.Oracle;
using Simulator.Scenarios;
using Simulator.Simulation;

namespace Simulator.Peers;

/// <summary>
/// A peer system behind the same network as the engine: the instances, clock offsets and restarts of the scenario,
/// one shared record of every grant (<see cref="PeerFamily"/>), and a <see cref="PeerModel"/> deciding each refresh.
/// The checks every peer makes alike come first: an unknown or altered string is invalid, another client's
/// presentation is refused without a change, a revoked grant stays revoked, and the grant's absolute lifetime and
/// the token's idle lifetime (the policy's lifetimes) hold. Tokens are opaque handles (as in those systems' token
/// tables), held in memory only. Peers bind nothing to the client's key. No oracle: the specification is ours.
/// </summary>
internal sealed class PeerServer : ITokenServer
{
    private const long Day = 86_400_000;

    private readonly PeerModel _model;
    private readonly ServerSettings _settings;
    private readonly VirtualClock _clock;
    private readonly EventQueue _queue;
    private readonly History _history;
    private readonly RunMetrics _metrics;
    private readonly long _tokenLifetimeMs;
    private readonly long _familyLifetimeMs;
    private readonly InstanceTimeProvider[] _instanceClocks;
    private readonly Prng[] _restartRng;
    private readonly List<PeerFamily> _families = [];

    public PeerServer(PeerModel model, RunSpec spec, ServerSettings settings, RotationPolicy policy, VirtualClock clock, EventQueue queue, History history, RunMetrics metrics)
    {
        _model = model;
        _settings = settings;
        _clock = clock;
        _queue = queue;
        _history = history;
        _metrics = metrics;
        _tokenLifetimeMs = (long)policy.TokenLifetime.TotalMilliseconds;
        _familyLifetimeMs = (long)policy.FamilyLifetime.TotalMilliseconds;
        var serverRng = Prng.ForStream(spec.Seed, 4, 0);
        _instanceClocks = new InstanceTimeProvider[settings.Instances];
        _restartRng = new Prng[settings.Instances];
        for (var i = 0; i < settings.Instances; i++)
        {
            var offset = (long)Math.Round((serverRng.NextDouble() * 2 - 1) * settings.MaxClockOffsetMs);
            _instanceClocks[i] = new InstanceTimeProvider(clock, offset);
            _restartRng[i] = Prng.ForStream(spec.Seed, 5, (ulong)i);
            if (settings.RestartsPerDay > 0)
            {
                queue.Schedule(_restartRng[i].Exponential(Day / settings.RestartsPerDay), EventKind.Restart, i);
            }
        }
    }

    public int Instances => _instanceClocks.Length;

    public long StoreOperations => 0;

    public long NowAt(int instance) => _instanceClocks[instance].NowMs;

    public IssuedFamily Issue(int instance, string subject, string clientId, string? binding, string? proof)
    {
        var family = new PeerFamily(clientId, NowAt(instance));
        _families.Add(family);
        var token = family.Mint(-1, family.CreatedAt);
        return new IssuedFamily(TokenText(_families.Count - 1, token), default);
    }

    public ServerAnswer? Serve(in Request request, FamilyModel family, int process, out InvariantViolation? violation)
    {
        violation = null;
        var now = NowAt(request.Instance);
        var answer = Decide(request, now, family);
        _metrics.ServerRequests++;
        _metrics.Outcomes[(int)answer.Outcome]++;
        _metrics.Causes[(int)answer.Cause]++;
        _history.Add(new HistoryEntry(_clock.NowMs, EntryType.Serve, process, family.Id, request.Generation, answer.Outcome, answer.Cause, answer.Generation, request.Instance));
        return answer;
    }

    public void Restart(int instance)
    {
        // A peer keeps its state in its database: a restart changes nothing but is recorded like the engine's.
        _metrics.Restarts++;
        _history.Add(new HistoryEntry(_clock.NowMs, EntryType.Restart, -instance - 1, -1, 0, default, default, 0, instance));
        _queue.Schedule(_clock.NowMs + 1 + _restartRng[instance].Exponential(Day / _settings.RestartsPerDay), EventKind.Restart, instance);
    }

    /// <summary>An altered handle: the peer does not know it (the draws match the engine's forger).</summary>
    public string Forge(string token, ref Prng rng, out Forgery kind)
    {
        kind = TokenForger.StringKinds[rng.Next(TokenForger.StringKinds.Length)];
        return token + "~" + ((int)kind).ToString(CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
    }

    private static string TokenText(int family, int token) => string.Create(CultureInfo.InvariantCulture, $"peer.{family}.{token}");

    private static bool TryParse(string? text, out int family, out int token)
    {
        family = token = -1;
        var parts = text?.Split('.');
        return parts is ["peer", var f, var t]
            && int.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out family)
            && int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out token);
    }

    private ServerAnswer Decide(in Request request, long now, FamilyModel model)
    {
        if (!TryParse(request.Token, out var f, out var t) || f >= _families.Count || t >= _families[f].Tokens.Count)
        {
            return new ServerAnswer(RotationOutcome.Invalid, OutcomeCause.Malformed, 0, null);
        }

        var family = _families[f];
        if (!string.Equals(request.ClientId, family.ClientId, StringComparison.Ordinal))
        {
            return new ServerAnswer(RotationOutcome.Invalid, OutcomeCause.ClientMismatch, 0, null);
        }

        if (family.Revoked)
        {
            return new ServerAnswer(RotationOutcome.Revoked, OutcomeCause.FamilyRevoked, 0, null);
        }

        if (now >= family.CreatedAt + _familyLifetimeMs)
        {
            return new ServerAnswer(RotationOutcome.Expired, OutcomeCause.FamilyExpired, 0, null);
        }

        var entry = family.Tokens[t];
        if (now >= (_model.Rotates ? entry.IssuedAt : entry.LastUsedAt) + _tokenLifetimeMs)
        {
            return new ServerAnswer(RotationOutcome.Expired, OutcomeCause.TokenExpired, 0, null);
        }

        var decision = _model.Present(family, t, now);
        switch (decision.Kind)
        {
            case PeerDecisionKind.MintChild or PeerDecisionKind.MintSibling:
                Use(family, t, now);
                var child = family.Mint(t, now);
                return new ServerAnswer(
                    decision.Kind == PeerDecisionKind.MintChild ? RotationOutcome.Rotated : RotationOutcome.GraceReplay,
                    decision.Kind == PeerDecisionKind.MintChild ? OutcomeCause.None : OutcomeCause.WithinGrace,
                    family.Tokens[child].Generation,
                    TokenText(f, child));
            case PeerDecisionKind.ReturnExisting:
                Use(family, t, now);
                return _model.Rotates
                    ? new ServerAnswer(RotationOutcome.GraceReplay, OutcomeCause.WithinGrace, family.Tokens[decision.Token].Generation, TokenText(f, decision.Token))
                    : new ServerAnswer(RotationOutcome.Rotated, OutcomeCause.None, 0, TokenText(f, decision.Token));
            case PeerDecisionKind.RevokeFamily:
                family.Revoked = true;
                model.State = model.State with { Revoked = true, RevokedAt = now };
                return new ServerAnswer(RotationOutcome.ReuseDetected, OutcomeCause.None, 0, null);
            default:
                return new ServerAnswer(RotationOutcome.Invalid, OutcomeCause.None, 0, null);
        }
    }

    private static void Use(PeerFamily family, int token, long now)
    {
        var entry = family.Tokens[token];
        if (entry.FirstUsedAt < 0)
        {
            entry.FirstUsedAt = now;
        }

        entry.Uses++;
        entry.LastUsedAt = now;
        family.Tokens[token] = entry;
    }
}
