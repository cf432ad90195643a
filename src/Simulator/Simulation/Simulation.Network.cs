using RotationEngine;
using RotationEngine.Storage;
using Simulator.Core;
using Simulator.Oracle;

namespace Simulator.Simulation;

internal sealed partial class DeterministicSimulation
{
    private int NewRequest()
    {
        int id;
        if (_freeCount > 0)
        {
            id = _freeRequests[--_freeCount];
        }
        else
        {
            if (_requestCount == _requests.Length)
            {
                Array.Resize(ref _requests, _requests.Length * 2);
            }

            id = _requestCount++;
        }

        _requests[id] = default;
        return id;
    }

    private void Release(int id)
    {
        ref var request = ref _requests[id];
        if (--request.Pending > 0 || !request.Done)
        {
            return;
        }

        request = default;
        if (_freeCount == _freeRequests.Length)
        {
            Array.Resize(ref _freeRequests, _freeRequests.Length * 2);
        }

        _freeRequests[_freeCount++] = id;
    }

    /// <summary>Puts a request on the wire: maybe lost, maybe duplicated, with latency and reordering drawn
    /// from the sender's stream; the sender gives up after its timeout.</summary>
    private void Dispatch(int id, ref Prng rng)
    {
        var network = _scenario.Network;
        var lost = rng.Chance(network.RequestLossRate);
        var duplicated = rng.Chance(network.DuplicateRate);
        var latency = Latency(ref rng);
        var duplicateLatency = Latency(ref rng);
        ref var request = ref _requests[id];
        var now = _clock.NowMs;
        if (!lost)
        {
            request.Pending++;
            _queue.Schedule(now + latency, EventKind.RequestArrive, id, 0);
        }

        if (duplicated)
        {
            request.Pending++;
            _queue.Schedule(now + duplicateLatency, EventKind.RequestArrive, id, 1);
        }

        request.Pending++;
        _queue.Schedule(now + _timeoutMs, EventKind.RequestTimeout, id);
    }

    private long Latency(ref Prng rng)
    {
        var network = _scenario.Network;
        var latency = Math.Max(1, rng.LogNormal(network.LatencyMedianMs, network.LatencySigma));
        var reordered = rng.Chance(network.ReorderRate);
        var holdBack = rng.Between(0, (long)network.ReorderDelayMs);
        return reordered ? latency + holdBack : latency;
    }

    private void OnRequestArrive(int id, bool duplicate)
    {
        var request = _requests[id];
        var family = _families[request.Family];
        var instance = request.Instance;
        var now = _instanceClocks[instance].NowMs;
        var attack = request.Forgery != Forgery.None;
        var before = attack ? Complete(_handles[instance].FindAsync(family.EngineId)) : null;
        var storeCallsBefore = _storeOperations.Count;
        RotationResult result;
        try
        {
            result = Complete(_engines[instance].RotateAsync(request.Token, request.ClientId, request.Binding));
        }
        catch (RotationStoreException)
        {
            // The outcome is unknown to everyone; the client will time out.
            _metrics.StoreFaults++;
            Release(id);
            return;
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
        var process = request.FromThief ? HistoryEntry.ThiefBase + request.Origin : _clients[request.Origin].Key;
        _history.Add(new HistoryEntry(_clock.NowMs, EntryType.Serve, process, family.Id, request.Generation, result.Outcome, result.Cause, result.Generation, instance));

        var wasRevoked = family.Revoked;
        var violation = _oracle.Check(family, new Presentation(request.Generation, request.Binding, request.Forgery), now, result, unchanged, storeCalls);
        if (violation is not null)
        {
            _violation = violation with { Time = _clock.NowMs };
            return;
        }

        if (request.FromThief && !attack)
        {
            family.AttackerPresented = true;
            var thief = _thieves[request.Origin];
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

        ref var slot = ref _requests[id];
        if (!duplicate)
        {
            slot.Outcome = result.Outcome;
            slot.Cause = result.Cause;
            slot.ResultGeneration = result.Generation;
            slot.ResultToken = result.Token;
            ref var rng = ref request.FromThief ? ref _thieves[request.Origin].Rng : ref _clients[request.Origin].Rng;
            var lost = rng.Chance(_scenario.Network.ResponseLossRate);
            var latency = Latency(ref rng);
            if (!lost)
            {
                slot.Pending++;
                _queue.Schedule(_clock.NowMs + latency, EventKind.ResponseArrive, id);
            }
        }

        Release(id);
    }

    private void OnResponseArrive(int id)
    {
        ref var request = ref _requests[id];
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

        Release(id);
    }

    private void OnRequestTimeout(int id)
    {
        ref var request = ref _requests[id];
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

        Release(id);
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

    private void OnFamilyRevoked(FamilyModel family)
    {
        family.RevocationBlamesAttacker = family.AttackerPresented;
        if (family.Thieves is null)
        {
            return;
        }

        foreach (var thiefId in family.Thieves)
        {
            var thief = _thieves[thiefId];
            if (!thief.Detected)
            {
                thief.Detected = true;
                _metrics.TheftsDetected++;
                _metrics.DetectionDelaysMs.Add(_clock.NowMs - thief.StolenAt);
            }
        }
    }
}
