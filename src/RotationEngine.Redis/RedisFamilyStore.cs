// Over 300 lines: the store's eight IFamilyStore operations, each one script call and its fault mapping; the
// scripts, hash layout, keys, connection and prune walk are in Internal/.
using System.Globalization;
using RotationEngine.Redis.Internal;
using RotationEngine.Storage;
using StackExchange.Redis;

namespace RotationEngine.Redis;

/// <summary>
/// Keeps each family in one Redis hash whose key carries the family id as its cluster hash tag, with the fields of
/// <see cref="FamilyColumns"/>. Every change to a family is one Lua script on that key, called by its SHA-1 (EVALSHA)
/// and sent again as EVAL when the server has lost it (restart, <c>SCRIPT FLUSH</c>), so a rotation is one round trip
/// and atomic. Keys expire by themselves once the family has been expired or revoked for longer than the retention;
/// <see cref="PruneAsync"/> deletes them earlier on request through the prune index. No path scans the key space.
/// </summary>
/// <remarks>The store never reads a clock, its own or Redis's: key lifetimes are computed from the engine's
/// <c>now</c> and set as relative expiries, and the subject index is scored in engine time (docs/servers.md).</remarks>
public sealed class RedisFamilyStore : IFamilyStore, IFamilyStoreInitializer, IAsyncDisposable, IDisposable
{
    private const string Absent = "";

    private readonly RedisKeys _keys;
    private readonly long _retentionMilliseconds;
    private readonly RedisConnection _connection;

    /// <summary>Creates a store on the server <paramref name="configuration"/> names (a StackExchange.Redis
    /// configuration string), with the default key prefix and retention.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The configuration is not one.</exception>
    public RedisFamilyStore(string configuration)
        : this(new RedisFamilyStoreOptions { Configuration = configuration })
    {
    }

    /// <summary>Creates a store as <paramref name="options"/> describe. It connects on
    /// <see cref="InitializeAsync"/> or its first operation.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid; the message names
    /// it and the values it allows.</exception>
    public RedisFamilyStore(RedisFamilyStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RedisFamilyStoreOptionsValidator.ThrowIfInvalid(options);
        _keys = new RedisKeys(options.KeyPrefix);
        _retentionMilliseconds = FamilyColumns.Milliseconds(options.Retention ?? RedisFamilyStoreOptions.DefaultRetention);
        _connection = new RedisConnection(options);
    }

    /// <summary>Connects (unless the host gave a connection) and loads the scripts on every primary, so that the first
    /// calls need no <c>EVAL</c>. The host runs it at start-up, so that an unreachable server or a refused password
    /// stops the start. Safe to call more than once.</summary>
    /// <exception cref="RotationStoreException">The server cannot be reached or refused the scripts.</exception>
    public ValueTask InitializeAsync(CancellationToken cancellationToken = default) => _connection.InitializeAsync(cancellationToken);

    /// <inheritdoc />
    /// <remarks>Two steps, because on a cluster the keys live on different shards: <see cref="IndexAsync"/> adds the
    /// id to the subject index, then <see cref="WriteAsync"/> writes the family and its prune-index entry. Readers never
    /// drop an id because its family is missing, only once its score (the latest time its key can live) is past, so a
    /// reader between the two steps cannot lose the family (docs/servers.md).</remarks>
    public async ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(family);
        await IndexAsync(family, cancellationToken).ConfigureAwait(false);
        await WriteAsync(family, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The first half of <see cref="CreateAsync"/>: the family's id enters its subject's index, scored by
    /// the latest time its key can live (family expiry + retention, in engine time).</summary>
    internal async ValueTask IndexAsync(FamilyRecord family, CancellationToken cancellationToken = default)
    {
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EvaluateAsync(
                db,
                RedisScripts.IndexSubject,
                _keys.Subject(family.Subject),
                [family.Id.ToString(), Milliseconds(LatestLife(family)), Milliseconds(FamilyColumns.Milliseconds(family.CreatedAt))]).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsFault(exception))
        {
            throw Fault("Create", exception);
        }
    }

    /// <summary>The second half of <see cref="CreateAsync"/>: the family's hash, then its prune-index entry (last, so
    /// that Prune never sees an id before its family exists).</summary>
    internal async ValueTask WriteAsync(FamilyRecord family, CancellationToken cancellationToken = default)
    {
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var now = FamilyColumns.Milliseconds(family.CreatedAt);
        var prunableAt = FamilyColumns.Milliseconds(family.PrunableAt);
        var values = new List<RedisValue>(2 * FamilyColumns.All.Count + 1) { Milliseconds(Math.Max(0, prunableAt + _retentionMilliseconds - now)) };
        FamilyHash.AppendFields(family, values);
        bool isNew;
        try
        {
            isNew = (int)await EvaluateAsync(db, RedisScripts.Create, _keys.Family(family.Id), [.. values]).ConfigureAwait(false) == 1;
            if (isNew)
            {
                await db.SortedSetAddAsync(_keys.PruneIndex, family.Id.ToString(), prunableAt, SortedSetWhen.LessThan).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (IsFault(exception))
        {
            throw Fault("Create", exception);
        }

        if (!isNew)
        {
            throw new RotationStoreException($"Family {family.Id} already exists.");
        }
    }

    /// <inheritdoc />
    public async ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default)
    {
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await EvaluateAsync(
                db,
                RedisScripts.Rotate,
                _keys.Family(command.FamilyId),
                [
                    command.Generation,
                    command.ExpectedDigest,
                    command.NewDigest,
                    command.KeyId,
                    command.ClientId,
                    command.Binding ?? Absent,
                    command.Binding is null ? "0" : "1",
                    Milliseconds(FamilyColumns.Milliseconds(command.IssuedAt)),
                    Milliseconds(FamilyColumns.Milliseconds(command.Now)),
                    command.LedgerSlot,
                    Milliseconds(_retentionMilliseconds),
                ]).ConfigureAwait(false);
            return FamilyHash.Read(result);
        }
        catch (Exception exception) when (IsFault(exception))
        {
            throw Fault("Rotate", exception);
        }
    }

    /// <inheritdoc />
    public async ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default)
    {
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return FamilyHash.Read(await db.HashGetAsync(_keys.Family(id), FamilyHash.Fields).ConfigureAwait(false));
        }
        catch (Exception exception) when (IsFault(exception))
        {
            throw Fault("Find", exception);
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expectedLedger);
        ArgumentNullException.ThrowIfNull(newLedger);
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await EvaluateAsync(db, RedisScripts.RecordReplay, _keys.Family(id), [generation, expectedLedger, newLedger]).ConfigureAwait(false);
            return (int)result == 1;
        }
        catch (Exception exception) when (IsFault(exception))
        {
            throw Fault("RecordReplay", exception);
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RevokeOneAsync(db, id, reason, now, subject: Absent).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsFault(exception))
        {
            throw Fault("Revoke", exception);
        }
    }

    /// <inheritdoc />
    /// <remarks>Revokes every id in the subject's index whose family is active and of that subject. An id whose family
    /// is missing stays in the index (its family may be being written right now) until its score is past.</remarks>
    public async ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var ids = await MembersAsync(db, subject, now).ConfigureAwait(false);
            var results = await Task.WhenAll(ids.Select(id => RevokeOneAsync(db, id, reason, now, subject))).ConfigureAwait(false);
            return results.Count(changed => changed);
        }
        catch (Exception exception) when (IsFault(exception))
        {
            throw Fault("RevokeSubject", exception);
        }
    }

    /// <inheritdoc />
    /// <remarks>Reads every id in the subject's index (one pipelined read each) and keeps the live families of that
    /// subject. An id whose family is missing is skipped, never removed (see <see cref="CreateAsync"/>).</remarks>
    public async ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var ids = await MembersAsync(db, subject, now).ConfigureAwait(false);
            var reads = ids.Select(id => db.HashGetAsync(_keys.Family(id), FamilyHash.Fields)).ToList();
            var live = new List<FamilyRecord>(reads.Count);
            foreach (var read in reads)
            {
                if (FamilyHash.Read(await read.ConfigureAwait(false)) is { Status: FamilyStatus.Active } family
                    && string.Equals(family.Subject, subject, StringComparison.Ordinal)
                    && now < family.TokenExpiresAt
                    && now < family.FamilyExpiresAt)
                {
                    live.Add(family);
                }
            }

            live.Sort(static (a, b) => a.CreatedAt != b.CreatedAt ? a.CreatedAt.CompareTo(b.CreatedAt) : a.Id.Value.CompareTo(b.Id.Value));
            return live;
        }
        catch (Exception exception) when (IsFault(exception))
        {
            throw Fault("ListActive", exception);
        }
    }

    /// <inheritdoc />
    /// <remarks>Walks the prune index from its lowest score (<see cref="RedisPruneWalk"/>).</remarks>
    public async ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RedisPruneWalk.RunAsync(db, _keys, FamilyColumns.Milliseconds(cutoff), batchSize, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsFault(exception))
        {
            throw Fault("Prune", exception);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    /// <summary>Revokes one family; whether it changed. A family that is absent changes nothing here: its id stays in
    /// any index until the index's own rules drop it.</summary>
    private async Task<bool> RevokeOneAsync(IDatabase db, FamilyId id, RevocationReason reason, DateTimeOffset now, string subject)
    {
        var at = FamilyColumns.Milliseconds(now);
        var result = (int)await EvaluateAsync(
            db,
            RedisScripts.Revoke,
            _keys.Family(id),
            [((int)reason).ToString(CultureInfo.InvariantCulture), Milliseconds(at), Milliseconds(_retentionMilliseconds), subject]).ConfigureAwait(false);

        if (result == 1)
        {
            // A revoked family may be pruned from its revocation time on: lower its prune score (never raise it).
            await db.SortedSetAddAsync(_keys.PruneIndex, id.ToString(), at, SortedSetWhen.LessThan).ConfigureAwait(false);
        }

        return result == 1;
    }

    /// <summary>The ids in the subject's index, after dropping those whose score is before <paramref name="now"/>.</summary>
    private async Task<List<FamilyId>> MembersAsync(IDatabase db, string subject, DateTimeOffset now)
    {
        var members = (RedisValue[])(await EvaluateAsync(db, RedisScripts.SubjectMembers, _keys.Subject(subject), [Milliseconds(FamilyColumns.Milliseconds(now))]).ConfigureAwait(false))!;
        var ids = new List<FamilyId>(members.Length);
        foreach (var member in members)
        {
            if (FamilyId.TryParse((string?)member, out var id))
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    /// <summary>The latest time a family's key can live, in engine milliseconds: its absolute expiry plus the
    /// retention. Its subject-index entry is scored so.</summary>
    private long LatestLife(FamilyRecord family) => FamilyColumns.Milliseconds(family.FamilyExpiresAt) + _retentionMilliseconds;

    private ValueTask<IDatabase> DatabaseAsync(CancellationToken cancellationToken) => _connection.DatabaseAsync(cancellationToken);

    private static Task<RedisResult> EvaluateAsync(IDatabase db, RedisScript script, RedisKey key, RedisValue[] values) =>
        RedisScripts.EvaluateAsync(db, script, key, values);

    private static RedisValue Milliseconds(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static bool IsFault(Exception exception) => RedisFault.IsFault(exception);

    private static RotationStoreException Fault(string operation, Exception exception) => RedisFault.Create(operation, exception);
}
