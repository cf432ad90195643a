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
    public void The_table_has_the_canonical_columns_in_the_canonical_order()
    {
        using var database = new TestDatabase();
        using (database.OpenStore())
        {
        }

        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, type FROM pragma_table_info('families') ORDER BY cid";
        var columns = new List<(string Name, string Type)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                columns.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        Assert.Equal(FamilyColumns.All, columns.Select(c => c.Name));
        Assert.All(columns.Where(c => c.Name is FamilyColumns.Id or FamilyColumns.Digest or FamilyColumns.Seal), c => Assert.Equal("BLOB", c.Type));
    }

    [Fact]
    public void A_file_of_another_shape_with_the_same_version_is_refused_at_open()
    {
        // What a pre-contract-2 build left: version 1, a table without seal and with the old reason column.
        using var database = new TestDatabase();
        database.Execute("CREATE TABLE families (id BLOB NOT NULL PRIMARY KEY, subject TEXT NOT NULL, reason INTEGER) WITHOUT ROWID");
        database.Execute("PRAGMA user_version = 1");
        var error = Assert.Throws<RotationStoreException>(() => database.OpenStore());
        Assert.Contains("does not have the columns of schema version 1", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(database.Directory, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_statements_use_the_canonical_column_list_and_the_core_slot_length()
    {
        Assert.Contains($"ledger = substr(@slot || ledger, 1, grace_depth * {GraceLedger.SlotLength})", Sql.Rotate, StringComparison.Ordinal);
        Assert.EndsWith("RETURNING " + FamilyColumns.SelectList, Sql.Rotate, StringComparison.Ordinal);
        Assert.StartsWith("SELECT " + FamilyColumns.SelectList + " FROM", Sql.Find, StringComparison.Ordinal);
        Assert.StartsWith("SELECT " + FamilyColumns.SelectList + " FROM", Sql.ListActive, StringComparison.Ordinal);

        // The idle expiry is the presented token's, never the row's.
        Assert.Contains("@now < @issued_at + token_lifetime_ms", Sql.Rotate, StringComparison.Ordinal);
        Assert.DoesNotContain("token_expires_at >", Sql.Rotate, StringComparison.Ordinal);
        Assert.Contains("client_id = @client_id", Sql.Rotate, StringComparison.Ordinal);
        Assert.Contains($"digest = zeroblob({FamilyColumns.DigestSize})", Sql.Revoke, StringComparison.Ordinal);
        Assert.Contains($"digest = zeroblob({FamilyColumns.DigestSize})", Sql.RevokeSubject, StringComparison.Ordinal);
    }
}
