// Over 300 lines: the store's eight IFamilyStore operations, each a guard, one statement and its fault mapping;
// the SQL, rows, schema, sessions and file handling are in Internal/.
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RotationEngine.Sqlite.Internal;
using RotationEngine.Storage;

namespace RotationEngine.Sqlite;

/// <summary>
/// The embedded default store: families in one SQLite file, in WAL mode. A rotation is one
/// <c>UPDATE … RETURNING</c> statement (a compare-and-swap on id, generation, digest, key, client, status, the presented
/// token's idle expiry, the family's expiry, generation limit and binding), run as a prepared statement on a pooled
/// connection. Safe under many threads and several processes sharing the file: SQLite's write lock serialises the
/// statements, and the busy timeout makes a writer wait for it. The file holds no token and no secret: only keyed
/// digests of the current secrets and the engine's seals (docs/sqlite.md).
/// </summary>
/// <remarks>Opening the store creates the file if needed (on Unix with mode 0600), switches it to WAL and migrates its
/// schema (versioned with <c>PRAGMA user_version</c>). Faults (I/O, lock timeouts, corruption) are thrown as
/// <see cref="RotationStoreException"/>, whose message never holds the path, the connection string or a
/// parameter value.</remarks>
public sealed class SqliteFamilyStore : IFamilyStore, IDisposable, IAsyncDisposable
{
    private readonly SessionPool _pool;
    private readonly ILogger _logger;
    private readonly int _commandTimeoutSeconds;
    private volatile bool _disposed;

    /// <summary>Opens (creating and migrating if needed) the database <paramref name="options"/> names.</summary>
    /// <param name="options">Where the file is and how to use it; validated and copied.</param>
    /// <param name="loggerFactory">Logging; default none.</param>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    /// <exception cref="RotationStoreException">The database could not be opened or migrated.</exception>
    public SqliteFamilyStore(SqliteFamilyStoreOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate().ToList();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(SqliteFamilyStoreOptions), typeof(SqliteFamilyStoreOptions), errors);
        }

        var settings = new SqliteFamilyStoreOptions
        {
            DatabasePath = options.DatabasePath,
            ConnectionString = options.ConnectionString,
            Synchronous = options.Synchronous,
            BusyTimeout = options.BusyTimeout,
            PoolSize = options.PoolSize,
        };
        var builder = settings.BuildConnectionString();
        var connectionString = builder.ToString();
        _commandTimeoutSeconds = settings.CommandTimeoutSeconds;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("RotationEngine.Sqlite");
        _pool = new SessionPool(settings.PoolSize, () => SqliteSession.Open(connectionString, settings));

        SqliteSession? first = null;
        try
        {
            DatabaseFile.CreateIfMissing(builder);
            first = SqliteSession.Open(connectionString, settings);
            var journalMode = SchemaMigrator.Migrate(first.Connection, _logger);
            Log.Opened(_logger, Schema.CurrentVersion, journalMode, settings.Synchronous.ToString(), settings.PoolSize);
        }
        catch (Exception exception) when (IsFault(exception))
        {
            first?.Dispose();
            throw Fault(exception, "Open");
        }
        catch
        {
            first?.Dispose();
            throw;
        }

        // The migrating connection becomes the first pooled one.
        _pool.Adopt(first);
    }

    /// <inheritdoc />
    public ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(family);
        if (family.Digest is null || family.Seal is null || family.Ledger is null)
        {
            return ValueTask.FromException(new ArgumentException("The family record is incomplete.", nameof(family)));
        }

        var pending = Execute("Create", family, static (session, family) => session.Insert(family), cancellationToken);
        return pending.IsCompletedSuccessfully ? ValueTask.CompletedTask : new ValueTask(pending.AsTask());
    }

    /// <inheritdoc />
    public ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default)
    {
        if (command.ExpectedDigest is null || command.NewDigest is null || command.KeyId is null || command.ClientId is null || command.LedgerSlot is null)
        {
            return ValueTask.FromException<FamilyRecord?>(new ArgumentException("The rotation command is incomplete.", nameof(command)));
        }

        return Execute("Rotate", command, static (session, command) => session.Rotate(command), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default) =>
        Execute("Find", id, static (session, id) => session.Find(id), cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expectedLedger);
        ArgumentNullException.ThrowIfNull(newLedger);
        return Execute(
            "RecordReplay",
            (id, generation, expectedLedger, newLedger),
            static (session, state) => session.RecordReplay(state.id, state.generation, state.expectedLedger, state.newLedger),
            cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        ExecuteAsync(
            "Revoke",
            (parameters: new { id = id.Value.ToByteArray(), reason = (int)reason, now = FamilyColumns.Milliseconds(now) }, timeout: _commandTimeoutSeconds),
            static async (session, state, cancellationToken) => await session.Connection.ExecuteAsync(
                new CommandDefinition(Sql.Revoke, state.parameters, commandTimeout: state.timeout, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1,
            cancellationToken);

    /// <inheritdoc />
    public ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return ExecuteAsync(
            "RevokeSubject",
            (parameters: new { subject, reason = (int)reason, now = FamilyColumns.Milliseconds(now) }, timeout: _commandTimeoutSeconds),
            static (session, state, cancellationToken) => new ValueTask<int>(session.Connection.ExecuteAsync(
                new CommandDefinition(Sql.RevokeSubject, state.parameters, commandTimeout: state.timeout, cancellationToken: cancellationToken))),
            cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return ExecuteAsync(
            "ListActive",
            (parameters: new { subject, now = FamilyColumns.Milliseconds(now) }, timeout: _commandTimeoutSeconds),
            static async (session, state, cancellationToken) =>
            {
                var families = new List<FamilyRecord>();
                var reader = await session.Connection.ExecuteReaderAsync(
                    new CommandDefinition(Sql.ListActive, state.parameters, commandTimeout: state.timeout, cancellationToken: cancellationToken)).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        families.Add(FamilyRows.Read(reader));
                    }
                }

                FamilyRows.SortForListing(families);

                return (IReadOnlyList<FamilyRecord>)families;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return ExecuteAsync(
            "Prune",
            (parameters: new { cutoff = FamilyColumns.Milliseconds(cutoff), batch = batchSize }, timeout: _commandTimeoutSeconds),
            static (session, state, cancellationToken) => new ValueTask<int>(session.Connection.ExecuteAsync(
                new CommandDefinition(Sql.Prune, state.parameters, commandTimeout: state.timeout, cancellationToken: cancellationToken))),
            cancellationToken);
    }

    /// <summary>Closes the store's connections (a connection in use closes when its call ends).</summary>
    public void Dispose()
    {
        _disposed = true;
        _pool.Dispose();
    }

    /// <inheritdoc cref="Dispose" />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Runs a synchronous statement on a pooled session; completes synchronously when a session is free.</summary>
    private ValueTask<T> Execute<TState, T>(string operation, TState state, Func<SqliteSession, TState, T> body, CancellationToken cancellationToken)
    {
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            cancellationToken.ThrowIfCancellationRequested();
            if (TryRent(operation, out var session))
            {
                return ValueTask.FromResult(Run(session, operation, state, body));
            }
        }
        catch (Exception exception)
        {
            return ValueTask.FromException<T>(exception);
        }

        return WaitAndRun(operation, state, body, cancellationToken);
    }

    private async ValueTask<T> WaitAndRun<TState, T>(string operation, TState state, Func<SqliteSession, TState, T> body, CancellationToken cancellationToken)
    {
        var session = await RentAsync(operation, cancellationToken).ConfigureAwait(false);
        return Run(session, operation, state, body);
    }

    /// <summary>A synchronous statement through <see cref="RunAsync"/>, which then completes synchronously (the body,
    /// passed in the state, keeps the lambda static: nothing is allocated).</summary>
    private T Run<TState, T>(SqliteSession session, string operation, TState state, Func<SqliteSession, TState, T> body)
    {
        var pending = RunAsync(session, operation, (body, state), static (rented, call, _) => new ValueTask<T>(call.body(rented, call.state)), CancellationToken.None);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Runs an asynchronous (Dapper) statement on a pooled session.</summary>
    private async ValueTask<T> ExecuteAsync<TState, T>(string operation, TState state, Func<SqliteSession, TState, CancellationToken, ValueTask<T>> body, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        var session = TryRent(operation, out var free) ? free : await RentAsync(operation, cancellationToken).ConfigureAwait(false);
        return await RunAsync(session, operation, state, body, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a statement on a rented session and returns the session to the pool: healthy unless the statement
    /// failed other than by a refusal of its own; a fault is mapped.</summary>
    private async ValueTask<T> RunAsync<TState, T>(SqliteSession session, string operation, TState state, Func<SqliteSession, TState, CancellationToken, ValueTask<T>> body, CancellationToken cancellationToken)
    {
        var healthy = false;
        try
        {
            var result = await body(session, state, cancellationToken).ConfigureAwait(false);
            healthy = true;
            return result;
        }
        catch (Exception exception) when (SessionFault(exception, ref healthy))
        {
            throw Fault(exception, operation);
        }
        finally
        {
            Release(session, healthy, operation);
        }
    }

    private bool TryRent(string operation, out SqliteSession session)
    {
        try
        {
            return _pool.TryRent(out session);
        }
        catch (Exception exception) when (IsFault(exception))
        {
            throw Fault(exception, operation);
        }
    }

    private async ValueTask<SqliteSession> RentAsync(string operation, CancellationToken cancellationToken)
    {
        try
        {
            return await _pool.RentAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsFault(exception))
        {
            throw Fault(exception, operation);
        }
    }

    private void Release(SqliteSession session, bool healthy, string operation)
    {
        if (!healthy)
        {
            Log.ConnectionDiscarded(_logger, operation);
        }

        _pool.Return(session, healthy);
    }

    private static bool IsFault(Exception exception) => StoreFaults.IsFault(exception);

    /// <summary>What a statement's exception says about its session (<paramref name="healthy"/>) and whether it is a
    /// fault to map. A refusal the body raised itself (a <see cref="RotationStoreException"/>: a duplicate id, a row of
    /// the wrong shape) leaves the connection fine and passes unchanged; anything else discards the connection.</summary>
    private static bool SessionFault(Exception exception, ref bool healthy)
    {
        healthy = exception is RotationStoreException;
        return !healthy && IsFault(exception);
    }

    /// <summary>A store fault as the contract describes it: outcome unknown. The message names the operation and
    /// SQLite's error codes only; the inner exception is kept only when it is SQLite's own (whose messages carry no path
    /// and no values), never an I/O exception that may name the file.</summary>
    private static RotationStoreException Fault(Exception exception, string operation) => exception is SqliteException sqlite
        ? StoreFaults.Create("SQLite", operation, $"SQLite error {sqlite.SqliteErrorCode}, extended {sqlite.SqliteExtendedErrorCode}", sqlite)
        : StoreFaults.Create("SQLite", operation, exception.GetType().Name);
}
