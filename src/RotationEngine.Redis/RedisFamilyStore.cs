using System.Globalization;
using System.Net.Sockets;
using RotationEngine.Redis.Internal;
using RotationEngine.Storage;
using StackExchange.Redis;

namespace RotationEngine.Redis;

/// <summary>
/// Keeps each family in one Redis hash whose key carries the family id as its cluster hash tag. Every change
/// to a family is one Lua script on that key, called by its SHA-1 (EVALSHA) and sent again as EVAL when the
/// server has lost it (restart, <c>SCRIPT FLUSH</c>), so a rotation is one round trip and atomic. Keys expire
/// by themselves once the family has been expired or revoked for longer than the retention; <see cref="PruneAsync"/>
/// deletes them earlier on request through the prune index. No path scans the key space.
/// </summary>
/// <remarks>The store never reads a clock: key lifetimes are computed from the engine's <c>now</c> and set as
/// relative expiries, so Redis's clock may differ from the engine's.</remarks>
public sealed class RedisFamilyStore : IFamilyStore, IAsyncDisposable, IDisposable
{
    private const string Absent = "";

    private readonly RedisKeys _keys;
    private readonly int _database;
    private readonly long _retentionMilliseconds;
    private readonly ConfigurationOptions? _configuration;
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private IConnectionMultiplexer? _connection;
    private IDatabase? _db;

    /// <summary>Creates a store on the server <paramref name="configuration"/> names (a StackExchange.Redis
    /// configuration string), with the default key prefix and retention.</summary>
    public RedisFamilyStore(string configuration)
        : this(new RedisFamilyStoreOptions { Configuration = configuration })
    {
    }

    /// <summary>Creates a store as <paramref name="options"/> describe.</summary>
    public RedisFamilyStore(RedisFamilyStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var retention = options.Retention ?? RedisFamilyStoreOptions.DefaultRetention;
        if (retention < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), retention, $"{nameof(RedisFamilyStoreOptions)}.{nameof(RedisFamilyStoreOptions.Retention)} must not be negative.");
        }

        _keys = new RedisKeys(options.KeyPrefix);
        _database = options.Database;
        _retentionMilliseconds = (long)retention.TotalMilliseconds;
        if (options.Connection is { } connection)
        {
            _connection = connection;
            _db = connection.GetDatabase(_database);
        }
        else if (!string.IsNullOrWhiteSpace(options.Configuration))
        {
            // Parsed now, so that a malformed configuration fails at start-up rather than on the first call.
            _configuration = ConfigurationOptions.Parse(options.Configuration);

            // Keep reconnecting in the background instead of failing for good when the server is down at start.
            _configuration.AbortOnConnectFail = false;
        }
        else
        {
            throw new ArgumentException(
                $"Set {nameof(RedisFamilyStoreOptions)}.{nameof(RedisFamilyStoreOptions.Configuration)} or {nameof(RedisFamilyStoreOptions.Connection)}.",
                nameof(options));
        }
    }

    /// <inheritdoc />
    public async ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(family);
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var now = FamilyFields.Milliseconds(family.CreatedAt);
        var prunableAt = PrunableAt(family);
        var values = new List<RedisValue>(48) { Milliseconds(Math.Max(0, prunableAt + _retentionMilliseconds - now)) };
        FamilyFields.Write(family, values);
        var subjectLife = Math.Max(0, FamilyFields.Milliseconds(family.FamilyExpiresAt) + _retentionMilliseconds - now);
        var id = family.Id.ToString();

        try
        {
            // One step after the other, because on a cluster the three keys live on different shards: the subject
            // index first, so that no family ever exists outside it (RevokeSubject must find every family; an id
            // left behind by a failure here is skipped by readers); the prune index last, so that Prune never
            // sees an id before its family exists. Issue is rare; rotation stays one round trip.
            await EvaluateAsync(db, RedisScripts.IndexSubject, _keys.Subject(family.Subject), [id, Milliseconds(subjectLife)]).ConfigureAwait(false);
            var isNew = (int)await EvaluateAsync(db, RedisScripts.Create, _keys.Family(family.Id), [.. values]).ConfigureAwait(false) == 1;
            await db.SortedSetAddAsync(_keys.PruneIndex, id, prunableAt, SortedSetWhen.LessThan).ConfigureAwait(false);
            if (!isNew)
            {
                throw new RotationStoreException($"Family {family.Id} already exists.");
            }
        }
        catch (Exception exception) when (IsFault(exception))
        {
            throw Fault("Create", exception);
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
                    command.Binding ?? Absent,
                    command.Binding is null ? "0" : "1",
                    Milliseconds(FamilyFields.Milliseconds(command.Now)),
                    command.LedgerSlot,
                    Milliseconds(_retentionMilliseconds),
                ]).ConfigureAwait(false);
            return FamilyFields.Read(command.FamilyId, result);
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
            return FamilyFields.Read(id, await db.HashGetAllAsync(_keys.Family(id)).ConfigureAwait(false));
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
            var changed = await RevokeOneAsync(db, id, reason, now, subject: Absent).ConfigureAwait(false) == 1;
            return changed;
        }
        catch (Exception exception) when (IsFault(exception))
        {
            throw Fault("Revoke", exception);
        }
    }

    /// <inheritdoc />
    public async ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var ids = await MembersAsync(db, subject).ConfigureAwait(false);
            var results = await Task.WhenAll(ids.Select(id => RevokeOneAsync(db, id, reason, now, subject))).ConfigureAwait(false);
            var count = results.Count(result => result == 1);
            return count;
        }
        catch (Exception exception) when (IsFault(exception))
        {
            throw Fault("RevokeSubject", exception);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var ids = await MembersAsync(db, subject).ConfigureAwait(false);
            var reads = ids.Select(id => (id, entries: db.HashGetAllAsync(_keys.Family(id)))).ToList();
            var live = new List<FamilyRecord>(reads.Count);
            var gone = new List<RedisValue>();
            foreach (var (id, entries) in reads)
            {
                var fields = await entries.ConfigureAwait(false);
                if (fields.Length == 0)
                {
                    // The family's key expired by itself: drop it from the subject's index as well.
                    gone.Add(id.ToString());
                }
                else if (FamilyFields.Read(id, fields) is { Status: FamilyStatus.Active } family
                    && string.Equals(family.Subject, subject, StringComparison.Ordinal)
                    && now < family.TokenExpiresAt
                    && now < family.FamilyExpiresAt)
                {
                    live.Add(family);
                }
            }

            if (gone.Count > 0)
            {
                await db.SetRemoveAsync(_keys.Subject(subject), gone.ToArray()).ConfigureAwait(false);
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
    /// <remarks>Walks the prune index from its lowest score: each candidate's family is deleted if prunable at
    /// <paramref name="cutoff"/>, dropped from the index if its key already expired, or re-scored otherwise.</remarks>
    public async ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var cutoffMilliseconds = FamilyFields.Milliseconds(cutoff);
        var deleted = 0;
        try
        {
            while (deleted < batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var candidates = await db.SortedSetRangeByScoreAsync(
                    _keys.PruneIndex, double.NegativeInfinity, cutoffMilliseconds, Exclude.Stop, take: batchSize - deleted).ConfigureAwait(false);
                if (candidates.Length == 0)
                {
                    break;
                }

                var visits = candidates.Select(member => (member, result: EvaluateAsync(db, RedisScripts.PruneOne, FamilyKey(member), [Milliseconds(cutoffMilliseconds)]))).ToList();
                var cleanups = new List<Task>(visits.Count * 2);
                foreach (var (member, pending) in visits)
                {
                    var result = await pending.ConfigureAwait(false);
                    switch ((int)result[0])
                    {
                        case 1:
                            deleted++;
                            cleanups.Add(db.SetRemoveAsync(_keys.Subject((string)result[1]!), member));
                            cleanups.Add(db.SortedSetRemoveAsync(_keys.PruneIndex, member));
                            break;
                        case 2:
                            cleanups.Add(db.SortedSetAddAsync(_keys.PruneIndex, member, (long)result[1], SortedSetWhen.Exists));
                            break;
                        default:
                            cleanups.Add(db.SortedSetRemoveAsync(_keys.PruneIndex, member));
                            break;
                    }
                }

                foreach (var cleanup in cleanups)
                {
                    await cleanup.ConfigureAwait(false);
                }
            }

            return deleted;
        }
        catch (Exception exception) when (IsFault(exception))
        {
            throw Fault("Prune", exception);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _connectGate.Dispose();
        if (_configuration is not null && _connection is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _connectGate.Dispose();
        if (_configuration is not null)
        {
            _connection?.Dispose();
        }
    }

    /// <summary>Revokes one family; 1 if it changed, 0 if not, -1 if its key is gone (then it also leaves the
    /// subject's index).</summary>
    private async Task<int> RevokeOneAsync(IDatabase db, FamilyId id, RevocationReason reason, DateTimeOffset now, string subject)
    {
        var at = FamilyFields.Milliseconds(now);
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
        else if (result < 0 && subject.Length > 0)
        {
            await db.SetRemoveAsync(_keys.Subject(subject), id.ToString()).ConfigureAwait(false);
        }

        return result;
    }

    private async Task<List<FamilyId>> MembersAsync(IDatabase db, string subject)
    {
        var members = await db.SetMembersAsync(_keys.Subject(subject)).ConfigureAwait(false);
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

    private RedisKey FamilyKey(RedisValue member) =>
        FamilyId.TryParse((string?)member, out var id) ? _keys.Family(id) : throw new RotationStoreException("The prune index holds a member that is not a family id.");

    /// <summary>Calls the script by its SHA-1; when the server answers NOSCRIPT (it restarted or its script
    /// cache was flushed) the script did not run, so it is sent again in full, which also reloads it.</summary>
    private static async Task<RedisResult> EvaluateAsync(IDatabase db, RedisScript script, RedisKey key, RedisValue[] values)
    {
        RedisKey[] keys = [key];
        try
        {
            return await db.ScriptEvaluateAsync(script.Sha1, keys, values).ConfigureAwait(false);
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await db.ScriptEvaluateAsync(script.Text, keys, values, CommandFlags.NoScriptCache).ConfigureAwait(false);
        }
    }

    private ValueTask<IDatabase> DatabaseAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _db) is { } db ? ValueTask.FromResult(db) : ConnectAsync(cancellationToken);

    private async ValueTask<IDatabase> ConnectAsync(CancellationToken cancellationToken)
    {
        await _connectGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_db is { } db)
            {
                return db;
            }

            var connection = await ConnectionMultiplexer.ConnectAsync(_configuration!).ConfigureAwait(false);
            _connection = connection;
            db = connection.GetDatabase(_database);
            Volatile.Write(ref _db, db);
            return db;
        }
        catch (Exception exception) when (IsFault(exception))
        {
            throw Fault("Connect", exception);
        }
        finally
        {
            _connectGate.Release();
        }
    }

    private static long PrunableAt(FamilyRecord family)
    {
        var at = Math.Min(FamilyFields.Milliseconds(family.TokenExpiresAt), FamilyFields.Milliseconds(family.FamilyExpiresAt));
        return family is { Status: FamilyStatus.Revoked, RevokedAt: { } revokedAt } ? Math.Min(at, FamilyFields.Milliseconds(revokedAt)) : at;
    }

    private static RedisValue Milliseconds(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Server, network and timeout failures; cancellation by the caller passes through.</summary>
    private static bool IsFault(Exception exception) =>
        exception is RedisException or TimeoutException or IOException or SocketException;

    /// <summary>The fault, naming the operation and the failure kind but no endpoint, password or value; the driver's exception
    /// rides along as the inner exception for diagnosis (it may name the server's host and port, never the password).</summary>
    private static RotationStoreException Fault(string operation, Exception exception) =>
        new($"The Redis family store failed during {operation} ({exception.GetType().Name}); the outcome of the operation is unknown.", exception);
}
