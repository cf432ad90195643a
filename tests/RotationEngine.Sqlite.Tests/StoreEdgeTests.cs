using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RotationEngine.Sqlite.Internal;
using RotationEngine.Storage;
using RotationEngine.Testing;

namespace RotationEngine.Sqlite.Tests;

/// <summary>
/// The store's edges that the conformance suite does not reach: argument errors before any statement, the fault
/// text of every operation, the connection a fault discards, what opening logs, and the option ranges at their bounds.
/// </summary>
public sealed class StoreEdgeTests
{
    [Fact]
    public async Task Null_and_incomplete_arguments_are_argument_errors_and_write_nothing()
    {
        using var database = new TestDatabase();
        using var store = database.OpenStore();
        var family = Fixtures.Family(Fixtures.Start);
        var command = Fixtures.Rotation(family, Fixtures.Start);

        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => new SqliteFamilyStore(null!)).ParamName);
        Assert.Equal("family", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.CreateAsync(null!))).ParamName);
        foreach (var incomplete in new[] { family with { Digest = null! }, family with { Seal = null! }, family with { Ledger = null! } })
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(async () => await store.CreateAsync(incomplete));
            Assert.Equal(("family", "The family record is incomplete. (Parameter 'family')"), (error.ParamName, error.Message));
        }

        foreach (var incomplete in new[]
        {
            command with { ExpectedDigest = null! }, command with { NewDigest = null! }, command with { KeyId = null! },
            command with { ClientId = null! }, command with { LedgerSlot = null! },
        })
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(async () => await store.TryRotateAsync(incomplete));
            Assert.Equal(("command", "The rotation command is incomplete. (Parameter 'command')"), (error.ParamName, error.Message));
        }

        Assert.Equal("expectedLedger", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.TryRecordReplayAsync(family.Id, 0, null!, ""))).ParamName);
        Assert.Equal("newLedger", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.TryRecordReplayAsync(family.Id, 0, "", null!))).ParamName);
        Assert.Equal("subject", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.RevokeSubjectAsync(null!, RevocationReason.SignOut, Fixtures.Start))).ParamName);
        Assert.Equal("subject", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.ListActiveAsync(null!, Fixtures.Start))).ParamName);
        Assert.Equal("batchSize", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.PruneAsync(Fixtures.Start, 0))).ParamName);
        Assert.Equal(0L, database.Scalar("SELECT count(*) FROM families"));
    }

    [Fact]
    public void The_DI_registration_needs_a_builder_and_a_configure_callback()
    {
        var builder = new ServiceCollection().AddRotationEngine(o => o.AllowEphemeralKey = true);
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => SqliteRotationEngineBuilderExtensions.UseSqliteStore(null!, _ => { })).ParamName);
        Assert.Equal("configure", Assert.Throws<ArgumentNullException>(() => builder.UseSqliteStore(null!)).ParamName);
    }

    [Fact]
    public async Task Every_operation_names_itself_and_SQLites_error_codes_in_its_fault_and_discards_the_connection()
    {
        using var database = new TestDatabase();
        using var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        using var store = database.OpenStore(factory);
        var family = Fixtures.Family(Fixtures.Start);
        await store.CreateAsync(family);

        // The table disappears behind the store's back: every statement then fails with "no such table" (error 1).
        database.Execute("DROP TABLE families");
        var calls = new (string Operation, Func<Task> Call)[]
        {
            ("Create", async () => await store.CreateAsync(Fixtures.Family(Fixtures.Start))),
            ("Rotate", async () => await store.TryRotateAsync(Fixtures.Rotation(family, Fixtures.Start))),
            ("Find", async () => await store.FindAsync(family.Id)),
            ("RecordReplay", async () => await store.TryRecordReplayAsync(family.Id, 0, "", "x")),
            ("Revoke", async () => await store.TryRevokeAsync(family.Id, RevocationReason.SignOut, Fixtures.Start)),
            ("RevokeSubject", async () => await store.RevokeSubjectAsync("alice", RevocationReason.SignOut, Fixtures.Start)),
            ("ListActive", async () => await store.ListActiveAsync("alice", Fixtures.Start)),
            ("Prune", async () => await store.PruneAsync(Fixtures.Start, 10)),
        };

        foreach (var (operation, call) in calls)
        {
            var fault = await Assert.ThrowsAsync<RotationStoreException>(call);
            Assert.Equal($"The SQLite family store failed during {operation} (SQLite error 1, extended 1); the outcome is unknown.", fault.Message);
        }

        Assert.Equal(
            calls.Select(c => $"SQLite family store: a connection was closed after a fault during {c.Operation}"),
            logs.Entries.Where(e => e.EventId.Name == "SqliteConnectionDiscarded").Select(e => e.Message));
    }

    [Fact]
    public void Opening_logs_under_RotationEngine_Sqlite_what_it_opened()
    {
        using var database = new TestDatabase();
        using var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));

        using (database.OpenStore(factory, poolSize: 3))
        {
        }

        Assert.Equal(["RotationEngine.Sqlite"], logs.Entries.Select(e => e.Category).Distinct());
        var opened = Assert.Single(logs.Entries, e => e.EventId.Name == "SqliteStoreOpened");
        Assert.Equal($"SQLite family store opened: schema version {Schema.CurrentVersion}, journal mode wal, synchronous Normal, pool size 3", opened.Message);
    }

    [Fact]
    public void Pool_sizes_from_1_to_256_are_valid()
    {
        static bool Valid(int size) => !new SqliteFamilyStoreOptions { DatabasePath = "x.db", PoolSize = size }.Validate().Any();

        Assert.True(Valid(1));
        Assert.True(Valid(SqliteFamilyStoreOptions.MaxPoolSize));
        Assert.False(Valid(0));
        Assert.False(Valid(SqliteFamilyStoreOptions.MaxPoolSize + 1));
    }

    [Fact]
    public void Busy_timeouts_from_a_millisecond_to_ten_minutes_are_valid_and_round_up_to_whole_seconds()
    {
        static bool Valid(TimeSpan busy) => !new SqliteFamilyStoreOptions { DatabasePath = "x.db", BusyTimeout = busy }.Validate().Any();

        Assert.True(Valid(TimeSpan.FromMilliseconds(1)));
        Assert.True(Valid(SqliteFamilyStoreOptions.MaxBusyTimeout));
        Assert.False(Valid(TimeSpan.FromMilliseconds(1) - TimeSpan.FromTicks(1)));
        Assert.False(Valid(SqliteFamilyStoreOptions.MaxBusyTimeout + TimeSpan.FromTicks(1)));
        Assert.Equal(1, new SqliteFamilyStoreOptions { BusyTimeout = TimeSpan.FromMilliseconds(1) }.CommandTimeoutSeconds);
        Assert.Equal(3, new SqliteFamilyStoreOptions { BusyTimeout = TimeSpan.FromSeconds(2.5) }.CommandTimeoutSeconds);
    }

    [Fact]
    public void The_start_up_validator_passes_valid_options_and_names_the_failures_of_invalid_ones()
    {
        var validator = new SqliteFamilyStoreOptionsValidator();
        Assert.True(validator.Validate(null, new SqliteFamilyStoreOptions { DatabasePath = "x.db" }).Succeeded);
        var failed = validator.Validate(null, new SqliteFamilyStoreOptions { DatabasePath = "x.db", PoolSize = 0 });
        Assert.True(failed.Failed);
        Assert.Contains(failed.Failures!, f => f.StartsWith("SqliteFamilyStoreOptions.PoolSize is 0", StringComparison.Ordinal));
    }
}
