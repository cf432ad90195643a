using Microsoft.Extensions.Options;
using RotationEngine.Storage;

namespace RotationEngine.Sqlite.Tests;

public sealed class FaultTests
{
    [Fact]
    public void A_corrupt_file_fails_to_open_with_a_store_fault_that_does_not_name_the_file()
    {
        using var database = new TestDatabase();
        File.WriteAllBytes(database.Path, Enumerable.Range(0, 8192).Select(i => (byte)(i * 37)).ToArray());
        var error = Assert.Throws<RotationStoreException>(() => database.OpenStore());
        Assert.Contains("outcome is unknown", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(database.Directory, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_directory_is_a_configuration_error_that_names_the_directory()
    {
        // A configuration error at start-up, not a store fault: the operator needs the directory's name.
        var directory = Path.Combine(Path.GetTempPath(), "re-sqlite-missing-" + Guid.NewGuid().ToString("N"));
        var error = Assert.Throws<OptionsValidationException>(() => new SqliteFamilyStore(new SqliteFamilyStoreOptions { DatabasePath = Path.Combine(directory, "families.db") }));
        Assert.Contains($"SqliteFamilyStoreOptions.DatabasePath: the directory '{directory}' does not exist.", error.Failures);

        var viaConnectionString = Assert.Throws<OptionsValidationException>(() => new SqliteFamilyStore(new SqliteFamilyStoreOptions { ConnectionString = $"Data Source={directory}/x.db;Cache=Private" }));
        Assert.Contains($"SqliteFamilyStoreOptions.ConnectionString: the directory '{directory}' does not exist.", viaConnectionString.Failures);
        Assert.DoesNotContain("Cache=Private", viaConnectionString.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_that_is_a_directory_fails_to_open_with_a_store_fault_that_does_not_name_it()
    {
        using var database = new TestDatabase();
        var error = Assert.Throws<RotationStoreException>(() => new SqliteFamilyStore(new SqliteFamilyStoreOptions { DatabasePath = database.Directory }));
        Assert.Contains("outcome is unknown", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(database.Directory, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_row_with_a_value_the_store_cannot_read_is_a_store_fault_without_values()
    {
        using var database = new TestDatabase();
        using var store = database.OpenStore();
        var family = Fixtures.Family(Fixtures.Start, subject: "subject-value-that-must-not-leak");
        var other = Fixtures.Family(Fixtures.Start, subject: "another-subject-value");
        await store.CreateAsync(family);
        await store.CreateAsync(other);

        // The table is STRICT: a value of the wrong type is refused at the write, whoever writes.
        Assert.Throws<Microsoft.Data.Sqlite.SqliteException>(() => database.Execute("UPDATE families SET generation = 'not a number'"));

        // Values of the right type that do not fit the record: a generation beyond int, an id that is not 16 bytes.
        database.Execute("UPDATE families SET generation = 1099511627776 WHERE subject = @s", ("@s", family.Subject));
        database.Execute("UPDATE families SET id = x'0102' WHERE subject = @s", ("@s", other.Subject));
        var errors = new[]
        {
            await Assert.ThrowsAsync<RotationStoreException>(async () => await store.FindAsync(family.Id)),
            await Assert.ThrowsAsync<RotationStoreException>(async () => await store.ListActiveAsync(other.Subject, Fixtures.Start)),
        };
        foreach (var error in errors)
        {
            var text = error.ToString();
            Assert.Contains("changed outside the engine", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(family.Subject, text, StringComparison.Ordinal);
            Assert.DoesNotContain(other.Subject, text, StringComparison.Ordinal);
            Assert.DoesNotContain("1099511627776", text, StringComparison.Ordinal);
            Assert.DoesNotContain(database.Directory, text, StringComparison.Ordinal);
        }

        // The connection was fine: the store keeps answering.
        Assert.Null(await store.FindAsync(FamilyId.New()));
    }

    [Fact]
    public async Task Writes_to_a_read_only_database_are_store_faults_without_the_path_or_values()
    {
        using var database = new TestDatabase();
        var family = Fixtures.Family(Fixtures.Start, subject: "subject-value-that-must-not-leak");
        using (var writable = database.OpenStore())
        {
            await writable.CreateAsync(family);
        }

        using var store = new SqliteFamilyStore(new SqliteFamilyStoreOptions { ConnectionString = $"Data Source={database.Path};Mode=ReadOnly" });
        Assert.NotNull(await store.FindAsync(family.Id));

        var create = await Assert.ThrowsAsync<RotationStoreException>(async () => await store.CreateAsync(Fixtures.Family(Fixtures.Start)));
        var revoke = await Assert.ThrowsAsync<RotationStoreException>(async () => await store.RevokeSubjectAsync(family.Subject, RevocationReason.SignOut, Fixtures.Start));
        var rotate = await Assert.ThrowsAsync<RotationStoreException>(async () => await store.TryRotateAsync(Fixtures.Rotation(family, Fixtures.Start)));
        foreach (var error in new[] { create, revoke, rotate })
        {
            Assert.Contains("outcome is unknown", error.Message, StringComparison.Ordinal);
            var text = error.ToString();
            Assert.DoesNotContain(database.Directory, text, StringComparison.Ordinal);
            Assert.DoesNotContain(family.Subject, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToHexString(family.Digest), text, StringComparison.OrdinalIgnoreCase);
        }

        // The store keeps working after faults.
        Assert.NotNull(await store.FindAsync(family.Id));
    }

    [Fact]
    public async Task A_duplicate_family_id_is_a_store_fault()
    {
        using var database = new TestDatabase();
        using var store = database.OpenStore();
        var family = Fixtures.Family(Fixtures.Start);
        await store.CreateAsync(family);
        await Assert.ThrowsAsync<RotationStoreException>(async () => await store.CreateAsync(family with { Subject = "other" }));
        Assert.Equal("alice", (await store.FindAsync(family.Id))!.Subject);
    }

    [Fact]
    public async Task A_disposed_store_refuses_calls()
    {
        using var database = new TestDatabase();
        var store = database.OpenStore();
        await store.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.FindAsync(FamilyId.New()));
    }

    [Fact]
    public async Task A_cancelled_call_throws_before_touching_the_store()
    {
        using var database = new TestDatabase();
        using var store = database.OpenStore();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.CreateAsync(Fixtures.Family(Fixtures.Start), cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.FindAsync(FamilyId.New(), cancelled.Token));
        Assert.Equal(0L, database.Scalar("SELECT count(*) FROM families"));
    }
}

public sealed class OptionsTests
{
    [Theory]
    [InlineData(null, null, "SqliteFamilyStoreOptions.DatabasePath or SqliteFamilyStoreOptions.ConnectionString is required")]
    [InlineData("a.db", "Data Source=b.db", "are both set")]
    [InlineData(null, "Data Source=:memory:", "SqliteFamilyStoreOptions.ConnectionString names an in-memory database")]
    [InlineData(null, "Data Source=x;Mode=Memory", "SqliteFamilyStoreOptions.ConnectionString names an in-memory database")]
    [InlineData(":memory:", null, "SqliteFamilyStoreOptions.DatabasePath names an in-memory database")]
    [InlineData(null, "Data Source=secret-file.db;Bogus Keyword=1", "SqliteFamilyStoreOptions.ConnectionString is not a valid")]
    public void Bad_locations_are_named_in_the_message(string? path, string? connectionString, string expected)
    {
        var options = new SqliteFamilyStoreOptions { DatabasePath = path, ConnectionString = connectionString };
        var error = Assert.Throws<OptionsValidationException>(() => new SqliteFamilyStore(options));
        Assert.Contains(error.Failures, f => f.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain("secret-file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Out_of_range_settings_name_the_option_and_the_range()
    {
        var options = new SqliteFamilyStoreOptions
        {
            DatabasePath = "x.db",
            BusyTimeout = TimeSpan.Zero,
            PoolSize = 0,
            Synchronous = (SqliteSynchronousMode)7,
        };
        var failures = options.Validate().ToList();
        Assert.Contains(failures, f => f.StartsWith("SqliteFamilyStoreOptions.BusyTimeout is 00:00:00; it must be from", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("SqliteFamilyStoreOptions.PoolSize is 0; it must be from 1 to 256", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("SqliteFamilyStoreOptions.Synchronous is 7", StringComparison.Ordinal));
    }

    [Fact]
    public void Defaults_are_valid_given_a_path()
    {
        var options = new SqliteFamilyStoreOptions { DatabasePath = "x.db" };
        Assert.Empty(options.Validate());
        Assert.Equal(TimeSpan.FromSeconds(5), options.BusyTimeout);
        Assert.Equal(SqliteSynchronousMode.Normal, options.Synchronous);
    }

    [Theory]
    [InlineData(SqliteSynchronousMode.Normal, 1L)]
    [InlineData(SqliteSynchronousMode.Full, 2L)]
    public void Synchronous_and_busy_timeout_are_applied_to_each_connection(SqliteSynchronousMode mode, long expected)
    {
        using var database = new TestDatabase();
        var options = new SqliteFamilyStoreOptions { DatabasePath = database.Path, Synchronous = mode, BusyTimeout = TimeSpan.FromMilliseconds(1234) };
        using var session = Internal.SqliteSession.Open(options.BuildConnectionString().ToString(), options);
        using var command = session.Connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous";
        Assert.Equal(expected, command.ExecuteScalar());
        command.CommandText = "PRAGMA busy_timeout";
        Assert.Equal(1234L, command.ExecuteScalar());
    }
}
