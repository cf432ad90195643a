using System.Collections.Concurrent;

namespace RotationEngine.Storage;

/// <summary>
/// A thread-safe store in process memory, for tests, development and single-instance hosts that accept
/// losing sessions on restart. Each family is an immutable <see cref="FamilyRecord"/> swapped by
/// compare-and-swap: no global lock, one allocation of state per rotation.
/// </summary>
public sealed class InMemoryFamilyStore : IFamilyStore
{
    private readonly ConcurrentDictionary<FamilyId, Cell> _families = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<FamilyId, byte>> _bySubject = new(StringComparer.Ordinal);

    /// <summary>How many families the store holds.</summary>
    public int Count => _families.Count;

    /// <summary>A snapshot of every family held (for tests and diagnostics).</summary>
    public IReadOnlyList<FamilyRecord> Snapshot() => _families.Values.Select(cell => cell.Family).ToList();

    /// <inheritdoc />
    public ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(family);
        if (!_families.TryAdd(family.Id, new Cell(family)))
        {
            throw new RotationStoreException($"Family {family.Id} already exists.");
        }

        _bySubject.GetOrAdd(family.Subject, static _ => new ConcurrentDictionary<FamilyId, byte>()).TryAdd(family.Id, 0);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default)
    {
        var result = _families.TryGetValue(command.FamilyId, out var cell)
            ? cell.Update(static (family, command) => command.Matches(family) ? command.ApplyTo(family) : null, command)
            : null;
        return ValueTask.FromResult(result);
    }

    /// <inheritdoc />
    public ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_families.TryGetValue(id, out var cell) ? cell.Family : null);

    /// <inheritdoc />
    public ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default)
    {
        var result = _families.TryGetValue(id, out var cell)
            && cell.Update(
                static (family, args) => family.Status == FamilyStatus.Active
                    && family.Generation == args.generation
                    && string.Equals(family.Ledger, args.expectedLedger, StringComparison.Ordinal)
                        ? family with { Ledger = args.newLedger }
                        : null,
                (generation, expectedLedger, newLedger)) is not null;
        return ValueTask.FromResult(result);
    }

    /// <inheritdoc />
    public ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_families.TryGetValue(id, out var cell) && Revoke(cell, reason, now));

    /// <inheritdoc />
    public ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var count = 0;
        foreach (var id in IdsOf(subject))
        {
            if (_families.TryGetValue(id, out var cell) && Revoke(cell, reason, now))
            {
                count++;
            }
        }

        return ValueTask.FromResult(count);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var live = new List<FamilyRecord>();
        foreach (var id in IdsOf(subject))
        {
            if (_families.TryGetValue(id, out var cell)
                && cell.Family is { Status: FamilyStatus.Active } family
                && now < family.TokenExpiresAt
                && now < family.FamilyExpiresAt)
            {
                live.Add(family);
            }
        }

        live.Sort(static (a, b) => a.CreatedAt != b.CreatedAt ? a.CreatedAt.CompareTo(b.CreatedAt) : a.Id.Value.CompareTo(b.Id.Value));
        return ValueTask.FromResult<IReadOnlyList<FamilyRecord>>(live);
    }

    /// <inheritdoc />
    public ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        foreach (var (id, cell) in _families)
        {
            if (deleted >= batchSize)
            {
                break;
            }

            var family = cell.Family;

            // Delete only the state that was judged: a rotation that slipped in between keeps the family.
            if (family.PrunableAt < cutoff && cell.TryRetire(family) && _families.TryRemove(id, out _))
            {
                if (_bySubject.TryGetValue(family.Subject, out var ids))
                {
                    ids.TryRemove(id, out _);
                }

                deleted++;
            }
        }

        return ValueTask.FromResult(deleted);
    }

    private static bool Revoke(Cell cell, RevocationReason reason, DateTimeOffset now) =>
        cell.Update(
            static (family, args) => family.Status == FamilyStatus.Active
                ? family with { Status = FamilyStatus.Revoked, RevokedAt = args.now, RevocationReason = args.reason, Digest = ErasedDigest }
                : null,
            (reason, now)) is not null;

    private static readonly byte[] ErasedDigest = new byte[FamilyColumns.DigestSize];

    private IEnumerable<FamilyId> IdsOf(string subject) =>
        _bySubject.TryGetValue(subject, out var ids) ? ids.Keys : [];

    /// <summary>One family's current state, replaced atomically.</summary>
    private sealed class Cell(FamilyRecord family)
    {
        private FamilyRecord _family = family;

        public FamilyRecord Family => Volatile.Read(ref _family);

        /// <summary>Freezes the family for deletion if it is still exactly <paramref name="expected"/>: the frozen
        /// copy is revoked, so no rotation, replay or revocation can change it any more.</summary>
        public bool TryRetire(FamilyRecord expected)
        {
            // Stryker disable once NullCoalescing : the frozen copy lives only until the TryRemove that follows (PruneAsync removes it at once) and reads as revoked whichever past instant it carries
            var frozen = expected with { Status = FamilyStatus.Revoked, RevokedAt = expected.RevokedAt ?? expected.CreatedAt, Digest = ErasedDigest };
            return ReferenceEquals(Interlocked.CompareExchange(ref _family, frozen, expected), expected);
        }

        /// <summary>Applies <paramref name="change"/> atomically; null from it means "condition failed".</summary>
        public FamilyRecord? Update<TArg>(Func<FamilyRecord, TArg, FamilyRecord?> change, TArg arg)
        {
            while (true)
            {
                var current = Volatile.Read(ref _family);
                var next = change(current, arg);
                if (next is null)
                {
                    return null;
                }

                if (ReferenceEquals(Interlocked.CompareExchange(ref _family, next, current), current))
                {
                    return next;
                }
            }
        }
    }
}
