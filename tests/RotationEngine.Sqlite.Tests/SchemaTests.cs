using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Logging;
using RotationEngine.Sqlite.Internal;
using RotationEngine.Storage;

namespace RotationEngine.Sqlite.Tests;

public sealed class SchemaTests
{
    [Fact]
    public void A_new_file_gets_the_current_schema_version_in_wal_mode()
    {
        using var database = new TestDatabase();
        using (database.OpenStore())
        {
            Assert.Equal((long)Schema.CurrentVersion, database.Scalar("PRAGMA user_version"));
            Assert.Equal("wal", database.Scalar("PRAGMA journal_mode"));
            var table = (string)database.Scalar("SELECT sql FROM sqlite_schema WHERE name = 'families'")!;
            Assert.Contains("WITHOUT ROWID", table, StringComparison.Ordinal);
            Assert.Equal(2L, database.Scalar("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name IN ('families_by_subject', 'families_by_prune_at')"));
        }
    }

    [Fact]
    public async Task Reopening_is_idempotent_and_keeps_the_families()
    {
        using var database = new TestDatabase();
        var collector = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(collector)));
        var family = Fixtures.Family(Fixtures.Start);
        using (var store = database.OpenStore(loggerFactory))
        {
            await store.CreateAsync(family);
        }

        using (var store = database.OpenStore(loggerFactory))
        {
            Assert.Equal(family.Id, (await store.FindAsync(family.Id))!.Id);
        }

        Assert.Single(collector.GetSnapshot(), r => r.Id.Name == "SqliteSchemaMigrated");
        Assert.Equal((long)Schema.CurrentVersion, database.Scalar("PRAGMA user_version"));
    }

    [Fact]
    public async Task Many_stores_opening_a_new_file_at_once_migrate_it_exactly_once()
    {
        using var database = new TestDatabase();
        var collector = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(collector)));
        using var start = new Barrier(8);
        var stores = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return database.OpenStore(loggerFactory);
        })));

        try
        {
            Assert.Single(collector.GetSnapshot(), r => r.Id.Name == "SqliteSchemaMigrated");
            var family = Fixtures.Family(Fixtures.Start);
            await stores[0].CreateAsync(family);
            foreach (var store in stores)
            {
                Assert.NotNull(await store.FindAsync(family.Id));
            }
        }
        finally
        {
            foreach (var store in stores)
            {
                store.Dispose();
            }
        }
    }

    [Fact]
    public void A_file_from_a_newer_version_is_refused_with_a_clear_message()
    {
        using var database = new TestDatabase();
        using (database.OpenStore())
        {
        }

        database.Scalar($"PRAGMA user_version = {Schema.CurrentVersion + 1}");
        var error = Assert.Throws<RotationStoreException>(() => database.OpenStore());
        Assert.Contains($"schema version {Schema.CurrentVersion + 1}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(database.Directory, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_rotation_statement_shifts_the_ledger_by_the_core_slot_length()
    {
        Assert.Contains($"(grace_depth + 1) * {GraceLedger.SlotLength})", Sql.Rotate, StringComparison.Ordinal);
    }
}
