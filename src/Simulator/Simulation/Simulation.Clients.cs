using Simulator.Core;
using RotationEngine;
using Simulator.Oracle;

namespace Simulator.Simulation;

internal sealed partial class DeterministicSimulation
{
    private void OnSessionStart(ClientState client, int session)
    {
        var population = _scenario.Population;
        client.Session = session;
        client.Active = true;
        client.SessionEndsAt = _clock.NowMs + client.Rng.Between((long)(population.SessionHoursMin * Hour), (long)(population.SessionHoursMax * Hour));
        _queue.Schedule(client.SessionEndsAt, EventKind.SessionEnd, client.Index, session);
        if (client.Family < 0)
        {
            SignIn(client);
            return;
        }

        // Views open with stale access tokens: each refreshes at once (after its jitter).
        client.SharedAccessExpiry = 0;
        for (var v = client.FirstView; v < client.FirstView + client.ViewCount; v++)
        {
            ScheduleView(v, _clock.NowMs + client.Rng.Between(0, _jitterMs));
        }
    }

    private void OnSessionEnd(ClientState client, int session)
    {
        if (client.Session != session)
        {
            return;
        }

        var population = _scenario.Population;
        client.Active = false;
        StopViews(client);
        var idle = client.Rng.Between((long)(population.IdleHoursMin * Hour), (long)(population.IdleHoursMax * Hour));
        _queue.Schedule(_clock.NowMs + Math.Max(idle, 1), EventKind.SessionStart, client.Index, session + 1);
    }

    private void OnSignIn(ClientState client, int session)
    {
        if (client.Active && client.Session == session && client.Family < 0)
        {
            SignIn(client);
        }
    }

    private void SignIn(ClientState client)
    {
        var instance = client.Rng.Next(_server.Instances);
        var binding = _spec.Policy.Binding ? client.Binding : null;
        var issued = _server.Issue(instance, client.Subject, client.ClientId, binding, binding is null ? null : _dpop?.Prove(binding));
        var family = new FamilyModel(_world.Families.Count, client.Key, _policy, client.ClientId, binding, _server.NowAt(instance), issued.Token) { EngineId = issued.EngineId };
        _world.Families.Add(family);
        client.Family = family.Id;
        client.Token = issued.Token;
        client.Generation = 0;
        client.InFlight = -1;
        _metrics.SignIns++;
        _history.Add(new HistoryEntry(_clock.NowMs, EntryType.SignIn, client.Key, family.Id, 0, default, default, 0, instance));
        var expiry = _clock.NowMs + _accessMs;
        client.SharedAccessExpiry = expiry;
        for (var v = client.FirstView; v < client.FirstView + client.ViewCount; v++)
        {
            _world.ViewWaiting[v] = false;
            ScheduleView(v, expiry + client.Rng.Between(0, _jitterMs));
        }
    }

    private void ScheduleView(int view, long time) => _queue.Schedule(time, EventKind.ViewTimer, view, ++_world.ViewTicket[view]);

    private void StopViews(ClientState client)
    {
        for (var v = client.FirstView; v < client.FirstView + client.ViewCount; v++)
        {
            _world.ViewTicket[v]++;
            _world.ViewWaiting[v] = false;
        }
    }

    private void OnViewTimer(int view, int ticket)
    {
        if (_world.ViewTicket[view] != ticket)
        {
            return;
        }

        var client = _world.Clients[_world.ViewClient[view]];
        if (!client.Active || client.Family < 0)
        {
            return;
        }

        if (!client.SingleFlight)
        {
            SendHonest(client, view);
            return;
        }

        _world.ViewWaiting[view] = true;
        if (client.InFlight >= 0)
        {
            return;
        }

        if (client.SharedAccessExpiry > _clock.NowMs)
        {
            _world.ViewWaiting[view] = false;
            ScheduleView(view, client.SharedAccessExpiry + client.Rng.Between(0, _jitterMs));
            return;
        }

        client.InFlight = SendHonest(client, -1);
    }

    private int SendHonest(ClientState client, int view) => SendHonest(client, view, client.Token, client.Generation);

    private int SendHonest(ClientState client, int view, string? token, int generation)
    {
        var id = _network.NewRequest();
        ref var request = ref _network[id];
        request.Origin = client.Index;
        request.FromThief = false;
        request.View = view;
        request.Family = client.Family;
        request.Generation = generation;
        request.Token = token;
        request.ClientId = client.ClientId;
        request.Binding = client.Binding;
        request.Proof = _dpop?.Prove(client.Binding);
        request.Instance = client.Rng.Next(_server.Instances);
        request.Forgery = Forgery.None;
        _metrics.HonestRefreshes++;
        _metrics.Hourly.Add(_metrics.Hourly.Refreshes, _clock.NowMs);
        _history.Add(new HistoryEntry(_clock.NowMs, EntryType.Invoke, client.Key, client.Family, generation, default, default, 0, request.Instance));
        _network.Send(id, ref client.Rng);
        return id;
    }

    private void OnHonestAnswer(int id)
    {
        ref var request = ref _network[id];
        var client = _world.Clients[request.Origin];
        var succeeded = !request.ProofRefused && request.Outcome is RotationOutcome.Rotated or RotationOutcome.GraceReplay;
        _history.Add(request.ProofRefused
            ? new HistoryEntry(_clock.NowMs, EntryType.Info, client.Key, request.Family, request.Generation, default, default, 0, request.Instance)
            : new HistoryEntry(_clock.NowMs, succeeded ? EntryType.Ok : EntryType.Fail, client.Key, request.Family, request.Generation, request.Outcome, request.Cause, request.ResultGeneration, request.Instance));
        if (succeeded)
        {
            _metrics.HonestOk++;
        }
        else
        {
            _metrics.HonestFailed++;
        }

        if (client.InFlight == id)
        {
            client.InFlight = -1;
        }

        if (request.Family != client.Family)
        {
            return;
        }

        if (request.ProofRefused)
        {
            // invalid_dpop_proof is no invalid_grant: the shipped client keeps its session; the app tries again.
            RetryLater(client, request.View);
            return;
        }

        if (!succeeded)
        {
            Logout(client, request.Outcome);
            return;
        }

        if (request.ResultGeneration < client.Generation)
        {
            // A slow answer (typically a grace replay) arrives after a newer one: the cookie jar takes it anyway.
            _metrics.CookieRollbacks++;
            if (_newestWins)
            {
                return;
            }
        }

        client.Token = request.ResultToken;
        client.Generation = request.ResultGeneration;
        if (client.Traffic)
        {
            return;
        }

        var expiry = _clock.NowMs + _accessMs;
        if (!client.SingleFlight)
        {
            ScheduleView(request.View, expiry + client.Rng.Between(0, _jitterMs));
            return;
        }

        client.SharedAccessExpiry = expiry;
        for (var v = client.FirstView; v < client.FirstView + client.ViewCount; v++)
        {
            if (_world.ViewWaiting[v])
            {
                _world.ViewWaiting[v] = false;
                ScheduleView(v, expiry + client.Rng.Between(0, _jitterMs));
            }
        }
    }

    private void OnHonestTimeout(int id)
    {
        ref var request = ref _network[id];
        var client = _world.Clients[request.Origin];
        _metrics.HonestUnknown++;
        _history.Add(new HistoryEntry(_clock.NowMs, EntryType.Info, client.Key, request.Family, request.Generation, default, default, 0, request.Instance));
        if (client.InFlight == id)
        {
            client.InFlight = -1;
        }

        if (request.Family != client.Family)
        {
            return;
        }

        RetryLater(client, request.View);
    }

    /// <summary>Try again after a pause, with whatever token the client holds by then.</summary>
    private void RetryLater(ClientState client, int view)
    {
        if (!client.Active || client.Traffic)
        {
            return;
        }

        ScheduleView(view >= 0 ? view : client.FirstView, _clock.NowMs + _retryMs);
    }

    private void Logout(ClientState client, RotationOutcome outcome)
    {
        var family = _world.Families[client.Family];
        if (outcome == RotationOutcome.Expired)
        {
            _metrics.ExpiryLogouts++;
        }
        else if ((family.Revoked && family.RevocationBlamesAttacker) || (!family.Revoked && family.AttackerPresented))
        {
            _metrics.TheftLogouts++;
        }
        else
        {
            _metrics.FalseLogouts++;
        }

        _metrics.Hourly.Add(_metrics.Hourly.Logouts, _clock.NowMs);
        _history.Add(new HistoryEntry(_clock.NowMs, EntryType.Logout, client.Key, family.Id, client.Generation, outcome, default, 0, 0));
        client.Family = -1;
        client.Token = null;
        client.InFlight = -1;
        StopViews(client);
        if (client.Active)
        {
            _queue.Schedule(_clock.NowMs + _reloginMs, EventKind.SignIn, client.Index, client.Session);
        }
    }
}
