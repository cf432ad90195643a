using RotationEngine;
using Simulator.Oracle;

namespace Simulator.Simulation;

/// <summary>A request's life on the server side of the loop: its arrival (the server answers, the oracle checks),
/// the answer's arrival back at the sender, the sender's timeout, and what a revocation means for the thieves.</summary>
internal sealed partial class DeterministicSimulation
{
    /// <summary>A request reached the server: answer it, let the oracle check it, then send the answer back.</summary>
    private void OnRequestArrive(int id, bool duplicate)
    {
        _network[id].Arrivals++;
        var request = _network[id];
        var family = _world.Families[request.Family];
        var process = request.FromThief ? HistoryEntry.ThiefBase + request.Origin : _world.Clients[request.Origin].Key;
        var wasRevoked = family.Revoked;
        var answer = _server.Serve(request, family, process, out var violation);
        if (answer is not { } result)
        {
            // The store failed: the outcome is unknown to everyone; the client will time out.
            _network.Release(id);
            return;
        }

        if (violation is not null)
        {
            _violation = violation with { Time = _clock.NowMs };
            return;
        }

        if (result.Refused)
        {
            // The binding source refused the proof before the engine: nothing changed, nobody presented anything.
            if (!duplicate)
            {
                ref var refused = ref _network[id];
                refused.ProofRefused = true;
                if (!request.LoseResponse)
                {
                    _network.Respond(id, ref request.FromThief ? ref _world.Thieves[request.Origin].Rng : ref _world.Clients[request.Origin].Rng);
                }
            }

            _network.Release(id);
            return;
        }

        if (request.FromThief && request.Forgery == Forgery.None)
        {
            family.AttackerPresented = true;
            var thief = _world.Thieves[request.Origin];
            if (!thief.Presented)
            {
                thief.Presented = true;
                _metrics.TheftsUsed++;
            }
        }

        if (family.Revoked && !wasRevoked)
        {
            OnFamilyRevoked(family);
        }

        if (result.Outcome == RotationOutcome.GraceReplay)
        {
            _metrics.Hourly.Add(_metrics.Hourly.GraceReplays, _clock.NowMs);
        }

        if (!duplicate)
        {
            ref var slot = ref _network[id];
            slot.Outcome = result.Outcome;
            slot.Cause = result.Cause;
            slot.ResultGeneration = result.Generation;
            slot.ResultToken = result.Token;
            if (!request.LoseResponse)
            {
                _network.Respond(id, ref request.FromThief ? ref _world.Thieves[request.Origin].Rng : ref _world.Clients[request.Origin].Rng);
            }
        }

        _network.Release(id);
    }

    private void OnResponseArrive(int id)
    {
        ref var request = ref _network[id];
        if (!request.Done)
        {
            request.Done = true;
            if (request.FromThief)
            {
                OnThiefAnswer(id);
            }
            else
            {
                OnHonestAnswer(id);
            }
        }

        _network.Release(id);
    }

    private void OnRequestTimeout(int id)
    {
        ref var request = ref _network[id];
        if (!request.Done)
        {
            request.Done = true;
            if (request.FromThief)
            {
                OnThiefTimeout(id);
            }
            else
            {
                OnHonestTimeout(id);
            }
        }

        _network.Release(id);
    }

    private void OnFamilyRevoked(FamilyModel family)
    {
        family.RevocationBlamesAttacker = family.AttackerPresented;
        if (family.Thieves is null)
        {
            return;
        }

        foreach (var thiefId in family.Thieves)
        {
            var thief = _world.Thieves[thiefId];
            if (!thief.Detected)
            {
                thief.Detected = true;
                _metrics.TheftsDetected++;
                _metrics.DetectionDelaysMs.Add(_clock.NowMs - thief.StolenAt);
                _metrics.Hourly.Add(_metrics.Hourly.Detections, _clock.NowMs);
            }
        }
    }
}
