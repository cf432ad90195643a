using RotationEngine;
using RotationEngine.Storage;

namespace Simulator.Stores;

/// <summary>
/// An in-memory store with one deliberate flaw (<see cref="Sabotage"/>), to check that the oracle and the
/// stress checker catch it. Thread-safe through one lock, except where the flaw says otherwise.
/// </summary>
internal sealed class FlawedFamilyStore(Sabotage flaw) : IFamilyStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<FamilyId, FamilyRecord> _families = [];
    private readonly Dictionary<FamilyId, FamilyRecord> _previous = [];

    public ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_families.TryAdd(family.Id, family))
            {
                throw new RotationStoreException($"Family {family.Id} already exists.");
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_families.TryGetValue(command.FamilyId, out var current))
            {
                return ValueTask.FromResult<FamilyRecord?>(null);
            }

            // The lost update: a writer whose read was one version old still passes its comparison.
            // Ignoring the client: the condition is checked as if the presenting client were the family's.
            var condition = flaw == Sabotage.IgnoreClient ? command with { ClientId = current.ClientId } : command;
            var basis = condition.Matches(current) ? current
                : flaw == Sabotage.LostUpdate && _previous.TryGetValue(command.FamilyId, out var stale) && command.Matches(stale with { Status = current.Status }) ? stale
                : null;
            if (basis is null)
            {
                return ValueTask.FromResult<FamilyRecord?>(null);
            }

            var next = command.ApplyTo(basis) with { Status = current.Status, RevokedAt = current.RevokedAt, RevocationReason = current.RevocationReason };
            _previous[command.FamilyId] = current;
            _families[command.FamilyId] = next;
            return ValueTask.FromResult<FamilyRecord?>(next);
        }
    }

    public ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_families.GetValueOrDefault(id));
        }
    }

    public ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_families.TryGetValue(id, out var family) && family.Status == FamilyStatus.Active && family.Generation == generation
                && string.Equals(family.Ledger, expectedLedger, StringComparison.Ordinal))
            {
                _families[id] = family with { Ledger = newLedger };
                return ValueTask.FromResult(true);
            }

            return ValueTask.FromResult(false);
        }
    }

    public ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_families.TryGetValue(id, out var family) || family.Status != FamilyStatus.Active)
            {
                return ValueTask.FromResult(false);
            }

            if (flaw != Sabotage.NeverRevoke)
            {
                _families[id] = Revoked(family, reason, now);
            }

            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var ids = _families.Values.Where(f => f.Subject == subject && f.Status == FamilyStatus.Active).Select(f => f.Id).ToList();
            if (flaw != Sabotage.NeverRevoke)
            {
                foreach (var id in ids)
                {
                    _families[id] = Revoked(_families[id], reason, now);
                }
            }

            return ValueTask.FromResult(ids.Count);
        }
    }

    public ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<FamilyRecord> live = _families.Values
                .Where(f => f.Subject == subject && f.Status == FamilyStatus.Active && now < f.TokenExpiresAt && now < f.FamilyExpiresAt)
                .OrderBy(f => f.CreatedAt)
                .ToList();
            return ValueTask.FromResult(live);
        }
    }

    /// <summary>A revocation as the contract has it: status, time, reason, and the digest erased.</summary>
    private static FamilyRecord Revoked(FamilyRecord family, RevocationReason reason, DateTimeOffset now) =>
        family with { Status = FamilyStatus.Revoked, RevokedAt = now, RevocationReason = reason, Digest = new byte[FamilyColumns.DigestSize] };

    public ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var doomed = _families.Values
                .Where(f => f.PrunableAt < cutoff)
                .Take(batchSize)
                .Select(f => f.Id)
                .ToList();
            foreach (var id in doomed)
            {
                _families.Remove(id);
                _previous.Remove(id);
            }

            return ValueTask.FromResult(doomed.Count);
        }
    }
}
