using Simulator.Core;
using RotationEngine;
using Simulator.Oracle;

namespace Simulator.Simulation;

internal sealed partial class DeterministicSimulation
{
    private void OnTheft(UserState user)
    {
        var attackers = _scenario.Attackers;
        ref var rng = ref user.TheftRng;
        var client = _world.Clients[user.FirstClient + rng.Next(user.ClientCount)];
        var strategy = PickStrategy(rng.NextDouble());
        var firstDelay = strategy == ThiefStrategy.Delayed
            ? rng.Between(Minute, (long)(attackers.DelayHoursMax * Hour))
            : rng.Between(Second, Minute);
        _queue.Schedule(_clock.NowMs + 1 + rng.Exponential(Day / (attackers.TheftsPerThousandUserDays / 1000.0)), EventKind.Theft, client.User);
        if (client.Family < 0 || client.Token is null)
        {
            return;
        }

        StartThief(client, user, strategy, firstDelay);
    }

    /// <summary>A thief copies <paramref name="client"/>'s current token now and first acts after <paramref name="firstDelay"/>.</summary>
    private void StartThief(ClientState client, UserState user, ThiefStrategy strategy, long firstDelay)
    {
        var attackers = _scenario.Attackers;
        var id = _world.Thieves.Count;
        var ordinal = (ulong)(user.Id * 4096L + user.TheftOrdinal);

        // Under DPoP no thief has the device's key (that is the point); half of them sign proofs with a key of their
        // own, half present the stolen token with no proof at all. A stream of its own decides, drawn only when bound,
        // so that the other streams (and every unbound run) are unchanged.
        var keyless = _dpop is not null && Core.Prng.ForStream(_spec.Seed, 8, ordinal).Chance(0.5);
        var thief = new ThiefState
        {
            Id = id,
            Victim = client.Index,
            Family = client.Family,
            Strategy = strategy,
            StolenAt = _clock.NowMs,
            GiveUpAt = _clock.NowMs + (long)(attackers.GiveUpHours * Hour),
            StolenToken = client.Token!,
            StolenGeneration = client.Generation,
            Binding = $"thief-{id}",
            Keyless = keyless,
            Rng = Core.Prng.ForStream(_spec.Seed, 7, ordinal),
            Token = client.Token!,
            Generation = client.Generation,
            RemainingRepeats = Math.Max(1, attackers.RepeatCount),
        };
        user.TheftOrdinal++;
        _metrics.KeylessThieves += keyless ? 1 : 0;
        _world.Thieves.Add(thief);
        (_world.Families[client.Family].Thieves ??= []).Add(id);
        _metrics.Thefts++;
        _history.Add(new HistoryEntry(_clock.NowMs, EntryType.Theft, HistoryEntry.ThiefBase + id, client.Family, client.Generation, default, default, 0, 0));
        _queue.Schedule(_clock.NowMs + firstDelay, EventKind.ThiefAct, id);
    }

    private ThiefStrategy PickStrategy(double roll)
    {
        var total = _strategyWeights.Sum();
        if (total <= 0)
        {
            return ThiefStrategy.Immediate;
        }

        var target = roll * total;
        for (var i = 0; i < _strategyWeights.Length; i++)
        {
            target -= _strategyWeights[i];
            if (target < 0)
            {
                return (ThiefStrategy)i;
            }
        }

        return ThiefStrategy.IdleVictim;
    }

    private void OnThiefAct(ThiefState thief)
    {
        if (thief.Done || thief.InFlight)
        {
            return;
        }

        if (_clock.NowMs >= thief.GiveUpAt)
        {
            thief.Done = true;
            return;
        }

        var victim = _world.Clients[thief.Victim];
        if (thief.Strategy == ThiefStrategy.IdleVictim && victim.Active)
        {
            // Wait until the victim closes the app: the thief's refreshes then go unchallenged.
            _queue.Schedule(Math.Max(victim.SessionEndsAt, _clock.NowMs) + thief.Rng.Between(Second, Minute), EventKind.ThiefAct, thief.Id);
            return;
        }

        var forged = thief.Rng.Chance(_scenario.Attackers.ForgeryShare);
        var repeated = thief.Strategy == ThiefStrategy.Repeated;
        var token = repeated ? thief.StolenToken : thief.Token;
        var generation = repeated ? thief.StolenGeneration : thief.Generation;
        var forgery = Forgery.None;
        var clientId = _world.Clients[thief.Victim].ClientId;
        if (forged)
        {
            // One attempt in six presents the real token under another client's id; the others forge the string.
            if (thief.Rng.Next(TokenForger.StringKinds.Length + 1) == 0)
            {
                forgery = Forgery.OtherClient;
                clientId = OtherClientId;
            }
            else
            {
                token = _server.Forge(token, ref thief.Rng, out forgery);
            }

            _metrics.ForgedAttempts++;
        }

        var id = _network.NewRequest();
        ref var request = ref _network[id];
        request.Origin = thief.Id;
        request.FromThief = true;
        request.View = -1;
        request.Family = thief.Family;
        request.Generation = generation;
        request.Token = token;
        request.ClientId = clientId;
        request.Binding = thief.Keyless ? null : thief.Binding;
        request.Proof = thief.Keyless ? null : _dpop?.Prove(thief.Binding);
        request.Instance = thief.Rng.Next(_server.Instances);
        request.Forgery = forgery;
        thief.InFlight = true;
        _history.Add(new HistoryEntry(_clock.NowMs, EntryType.Invoke, HistoryEntry.ThiefBase + thief.Id, thief.Family, generation, default, default, 0, request.Instance));
        _network.Send(id, ref thief.Rng);
    }

    private void OnThiefAnswer(int id)
    {
        ref var request = ref _network[id];
        var thief = _world.Thieves[request.Origin];
        if (request.ProofRefused)
        {
            // The proof was a replay (a duplicate on the wire got in first): as good as no answer.
            OnThiefTimeout(id);
            return;
        }

        thief.InFlight = false;
        var succeeded = request.Outcome is RotationOutcome.Rotated or RotationOutcome.GraceReplay;
        _history.Add(new HistoryEntry(_clock.NowMs, succeeded ? EntryType.Ok : EntryType.Fail, HistoryEntry.ThiefBase + thief.Id, request.Family, request.Generation, request.Outcome, request.Cause, request.ResultGeneration, request.Instance));
        var now = _clock.NowMs;
        if (succeeded)
        {
            _metrics.AttackerRefreshes++;
            var until = now + _accessMs;
            _metrics.AttackerAccessMs += now >= thief.AccessUntil ? _accessMs : until - thief.AccessUntil;
            thief.AccessUntil = until;
            if (thief.Strategy != ThiefStrategy.Repeated)
            {
                thief.Token = request.ResultToken!;
                thief.Generation = request.ResultGeneration;
            }
        }

        if (thief.Strategy == ThiefStrategy.Repeated)
        {
            if (--thief.RemainingRepeats <= 0 || request.Outcome is RotationOutcome.ReuseDetected or RotationOutcome.Revoked)
            {
                thief.Done = true;
                return;
            }

            _queue.Schedule(now + (long)(_scenario.Attackers.RepeatIntervalSeconds * Second), EventKind.ThiefAct, thief.Id);
            return;
        }

        if (succeeded)
        {
            // Refresh again shortly before the access token runs out, to keep access.
            _queue.Schedule(now + Math.Max(1, _accessMs * 9 / 10), EventKind.ThiefAct, thief.Id);
        }
        else if (request.Forgery != Forgery.None)
        {
            _queue.Schedule(now + thief.Rng.Between(Second, Minute), EventKind.ThiefAct, thief.Id);
        }
        else
        {
            thief.Done = true;
        }
    }

    private void OnThiefTimeout(int id)
    {
        ref var request = ref _network[id];
        var thief = _world.Thieves[request.Origin];
        thief.InFlight = false;
        _history.Add(new HistoryEntry(_clock.NowMs, EntryType.Info, HistoryEntry.ThiefBase + thief.Id, request.Family, request.Generation, default, default, 0, request.Instance));
        _queue.Schedule(_clock.NowMs + _retryMs, EventKind.ThiefAct, thief.Id);
    }
}
