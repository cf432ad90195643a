using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using RotationEngine.Keys;
using RotationEngine.Postgres;
using RotationEngine.Servers.Tests.Infrastructure;
using RotationEngine.Storage;
using RotationEngine.Testing;
using Xunit.Abstractions;

namespace RotationEngine.Servers.Tests.Postgres;

public sealed class PostgresStoreTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_rotation_is_one_statement()
    {
        await using var store = await PostgresStores.CreateAsync();
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions(), TestKeys.Ring, new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56)));
        var token = (await engine.IssueAsync("round-trips", "web")).Token;
        token = (await engine.RotateAsync(token, "web")).Token!; // warm: pool, prepared statement

        var statements = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                var text = activity.GetTagItem("db.query.text") as string ?? activity.GetTagItem("db.statement") as string ?? activity.DisplayName;
                if (text.Contains(store.Table, StringComparison.Ordinal))
                {
                    statements.Enqueue(text);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        const int rotations = 25;
        for (var i = 0; i < rotations; i++)
        {
            var result = await engine.RotateAsync(token, "web");
            Assert.Equal(RotationOutcome.Rotated, result.Outcome);
            token = result.Token!;
        }

        Assert.Equal(rotations, statements.Count);
        Assert.All(statements, text => Assert.StartsWith("UPDATE", text.TrimStart(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Instances_starting_at_once_migrate_the_schema_exactly_once()
    {
        await TestServers.RequirePostgresAsync();
        var table = PostgresStores.NewTableName();
        var stores = Enumerable.Range(0, 6)
            .Select(_ => new PostgresFamilyStore(new PostgresFamilyStoreOptions { ConnectionString = TestServers.PostgresConnectionString, TableName = table }))
            .ToArray();
        try
        {
            var applied = await Task.WhenAll(stores.Select(store => Task.Run(() => store.MigrateAsync())));

            Assert.Equal(2, applied.Sum()); // each of the two migrations exactly once
            Assert.Equal(0, await stores[0].MigrateAsync());
            await stores[1].InitializeAsync();
            await using var connection = new NpgsqlConnection(TestServers.PostgresConnectionString);
            await connection.OpenAsync();
            await using var versions = new NpgsqlCommand($"SELECT array_agg(version ORDER BY version) FROM \"{table}_migrations\"", connection);
            Assert.Equal(new[] { 2, PostgresFamilyStore.SchemaVersion }, (int[])(await versions.ExecuteScalarAsync())!);
            Assert.Equal(3, PostgresFamilyStore.SchemaVersion);
            await using var indexes = new NpgsqlCommand($"SELECT count(*) FROM pg_indexes WHERE tablename = '{table}'", connection);
            Assert.Equal(3L, await indexes.ExecuteScalarAsync()); // primary key, subject, prunable_at
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task The_table_has_the_columns_of_FamilyColumns_in_its_order()
    {
        await using var store = await PostgresStores.CreateAsync();
        await using var connection = new NpgsqlConnection(TestServers.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
            connection)
        {
            Parameters = { new() { Value = store.Table.Split('.')[1].Trim('"') } },
        };
        var columns = new List<(string Name, string Type)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                columns.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        Assert.Equal(FamilyColumns.All, columns.Select(c => c.Name));
        Assert.Equal("bytea", columns.Single(c => c.Name == FamilyColumns.Digest).Type);
        Assert.Equal("bytea", columns.Single(c => c.Name == FamilyColumns.Seal).Type);
        Assert.DoesNotContain(columns, c => c.Name == "family_lifetime_ms");
    }

    [Fact]
    public async Task A_role_without_create_rights_runs_on_a_migrated_schema()
    {
        await TestServers.RequirePostgresAsync();
        var table = PostgresStores.NewTableName();
        var role = "app_" + table;
        await using (var owner = new PostgresFamilyStore(new PostgresFamilyStoreOptions { ConnectionString = TestServers.PostgresConnectionString, TableName = table }))
        {
            await owner.MigrateAsync();
        }

        await using var admin = new NpgsqlConnection(TestServers.PostgresConnectionString);
        await admin.OpenAsync();
        foreach (var statement in new[]
        {
            $"CREATE ROLE \"{role}\" LOGIN PASSWORD 'app-password'",
            $"REVOKE CREATE ON SCHEMA public FROM PUBLIC",
            $"GRANT SELECT, INSERT, UPDATE, DELETE ON \"{table}\", \"{table}_migrations\", \"{table}_dpop_proofs\" TO \"{role}\"",
        })
        {
            await using var command = new NpgsqlCommand(statement, admin);
            await command.ExecuteNonQueryAsync();
        }

        var app = new NpgsqlConnectionStringBuilder(TestServers.PostgresConnectionString) { Username = role, Password = "app-password" };
        await using var store = new PostgresFamilyStore(new PostgresFamilyStoreOptions { ConnectionString = app.ConnectionString, TableName = table });
        await store.InitializeAsync();
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions(), TestKeys.Ring);

        var issued = await engine.IssueAsync("least-privilege", "web");
        Assert.Equal(RotationOutcome.Rotated, (await engine.RotateAsync(issued.Token, "web")).Outcome);

        // The DPoP replay cache's table is part of the migrated schema: the role uses it without DDL.
        await using var cache = new RotationEngine.Postgres.DPoP.PostgresDPoPReplayCache(new PostgresFamilyStoreOptions { ConnectionString = app.ConnectionString, TableName = table });
        var now = new DateTimeOffset(2031, 5, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.True(await cache.TryAddAsync(42, now, now.AddMinutes(1)));
        Assert.False(await cache.TryAddAsync(42, now, now.AddMinutes(1)));
    }

    [Fact]
    public async Task The_first_operation_migrates_and_a_newer_schema_is_refused()
    {
        await TestServers.RequirePostgresAsync();
        var table = PostgresStores.NewTableName();
        await using (var store = new PostgresFamilyStore(new PostgresFamilyStoreOptions { ConnectionString = TestServers.PostgresConnectionString, TableName = table }))
        {
            Assert.Null(await store.FindAsync(FamilyId.New())); // creates the schema on first use
        }

        await ExecuteAsync($"INSERT INTO \"{table}_migrations\" (version) VALUES (99)");

        await using var older = new PostgresFamilyStore(new PostgresFamilyStoreOptions { ConnectionString = TestServers.PostgresConnectionString, TableName = table });
        var refused = await Assert.ThrowsAsync<RotationStoreException>(async () => await older.FindAsync(FamilyId.New()));
        Assert.Contains("schema version 99", refused.Message, StringComparison.Ordinal);
        var atStart = await Assert.ThrowsAsync<RotationStoreException>(async () => await older.InitializeAsync());
        Assert.Contains("schema version 99", atStart.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pre_release_schema_is_refused_not_migrated()
    {
        await TestServers.RequirePostgresAsync();
        var table = PostgresStores.NewTableName();
        await ExecuteAsync($"CREATE TABLE \"{table}_migrations\" (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
        await ExecuteAsync($"INSERT INTO \"{table}_migrations\" (version) VALUES (1)");
        await using var store = new PostgresFamilyStore(new PostgresFamilyStoreOptions { ConnectionString = TestServers.PostgresConnectionString, TableName = table });

        var refused = await Assert.ThrowsAsync<RotationStoreException>(async () => await store.InitializeAsync());

        Assert.Contains("pre-release", refused.Message, StringComparison.Ordinal);
        Assert.False(await ExistsAsync(table));
    }

    [Fact]
    public async Task Without_MigrateSchema_the_start_checks_the_version_and_runs_no_DDL()
    {
        await TestServers.RequirePostgresAsync();
        var table = PostgresStores.NewTableName();
        await using var store = new PostgresFamilyStore(new PostgresFamilyStoreOptions { ConnectionString = TestServers.PostgresConnectionString, TableName = table, MigrateSchema = false });

        var refused = await Assert.ThrowsAsync<RotationStoreException>(async () => await store.InitializeAsync());
        Assert.Contains("MigrateAsync", refused.Message, StringComparison.Ordinal);
        Assert.False(await ExistsAsync(table));

        Assert.Equal(2, await store.MigrateAsync()); // the deployment step: the families table, then the DPoP proofs'
        await store.InitializeAsync();
    }

    [Fact]
    public async Task Several_engines_with_skewed_clocks_share_one_store()
    {
        await using var store = await PostgresStores.CreateAsync();
        await Scenarios.SeveralEnginesShareOneStoreAsync(store);
    }

    [Fact]
    public async Task Revocation_erases_the_digest()
    {
        await using var store = await PostgresStores.CreateAsync();
        await RecordScenarios.RevocationErasesTheDigestAsync(store, new PostgresRawRecords(store));
    }

    [Fact]
    public async Task Rotation_checks_the_presented_issue_time_not_the_stored_token_expiry()
    {
        await using var store = await PostgresStores.CreateAsync();
        await RecordScenarios.RotationUsesThePresentedIssueTimeAsync(store, new PostgresRawRecords(store));
    }

    [Fact]
    public async Task A_row_edited_outside_the_engine_is_Tampered()
    {
        await using var store = await PostgresStores.CreateAsync();
        await RecordScenarios.EditedRecordIsTamperedAsync(store, new PostgresRawRecords(store));
    }

    [Fact]
    public async Task SQL_metacharacters_in_every_text_round_trip_unchanged()
    {
        await using var store = await PostgresStores.CreateAsync();
        await RecordScenarios.HostileTextRoundTripsAsync(store);
    }

    [Fact]
    public async Task Sign_out_everywhere_misses_no_sign_in_racing_the_sessions_page()
    {
        await using var store = await PostgresStores.CreateAsync();
        var report = await Scenarios.SignOutEverywhereAfterRacingSignInsAsync(store);
        output.WriteLine(report.ToString());
        report.AssertNoneMissed();
    }

    [Fact]
    public async Task UsePostgresStore_migrates_when_the_host_starts_and_registers_a_working_store()
    {
        await TestServers.RequirePostgresAsync();
        var table = PostgresStores.NewTableName();
        using var host = BuildHost(options =>
        {
            options.ConnectionString = TestServers.PostgresConnectionString;
            options.TableName = table;
        });

        Assert.False(await ExistsAsync(table));
        await host.StartAsync();
        Assert.True(await ExistsAsync(table)); // before any operation

        Assert.IsType<PostgresFamilyStore>(host.Services.GetRequiredService<IFamilyStore>());
        var engine = host.Services.GetRequiredService<RefreshTokenEngine>();
        var issued = await engine.IssueAsync("di", "web");
        Assert.Equal(RotationOutcome.Rotated, (await engine.RotateAsync(issued.Token, "web")).Outcome);
        await host.StopAsync();
    }

    [Fact]
    public async Task UsePostgresStore_stops_the_start_on_invalid_options_naming_the_option_and_leaking_no_password()
    {
        const string password = "pg-password-that-must-not-leak";
        using var host = BuildHost(options =>
        {
            options.ConnectionString = $"Host=127.0.0.1;Password={password};Port=not-a-port";
            options.TableName = "rotation_families\n";
            options.Schema = "Public";
        });

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("PostgresFamilyStoreOptions.TableName", refused.Message, StringComparison.Ordinal);
        Assert.Contains("PostgresFamilyStoreOptions.Schema", refused.Message, StringComparison.Ordinal);
        Assert.Contains("PostgresFamilyStoreOptions.ConnectionString", refused.Message, StringComparison.Ordinal);
        Assert.Contains("lower-case letter or underscore", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(password, refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_stops_the_start()
    {
        using var host = BuildHost(options => options.ConnectionString = "Host=127.0.0.1;Port=1;Username=u;Password=p;Timeout=2");

        var refused = await Assert.ThrowsAsync<RotationStoreException>(() => host.StartAsync());

        Assert.Contains("outcome", refused.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("rotation_families\n")]
    [InlineData("rotation_families\r\n")]
    [InlineData("\nrotation_families")]
    [InlineData("Rotation_families")]
    [InlineData("1families")]
    [InlineData("")]
    [InlineData("rotation-families")]
    [InlineData("rotation families")]
    [InlineData("rotation\"; DROP TABLE x; --")]
    [InlineData("a012345678901234567890123456789012345678901234567")]
    public void Table_and_schema_names_outside_the_identifier_rule_are_refused(string name)
    {
        var table = Assert.Throws<OptionsValidationException>(() =>
            new PostgresFamilyStore(new PostgresFamilyStoreOptions { ConnectionString = "Host=127.0.0.1", TableName = name }));
        Assert.Contains("PostgresFamilyStoreOptions.TableName", table.Message, StringComparison.Ordinal);
        Assert.Contains("1 to 48 characters", table.Message, StringComparison.Ordinal);

        var schema = Assert.Throws<OptionsValidationException>(() =>
            new PostgresFamilyStore(new PostgresFamilyStoreOptions { ConnectionString = "Host=127.0.0.1", Schema = name }));
        Assert.Contains("PostgresFamilyStoreOptions.Schema", schema.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new global::RotationEngine.Postgres.Internal.PostgresSql("public", name));
    }

    [Theory]
    [InlineData("rotation_families")]
    [InlineData("_t")]
    [InlineData("t9_")]
    [InlineData("a01234567890123456789012345678901234567890123456")]
    public void Names_within_the_identifier_rule_are_accepted(string name)
    {
        using var store = new PostgresFamilyStore(new PostgresFamilyStoreOptions { ConnectionString = "Host=127.0.0.1", TableName = name, Schema = name });
        Assert.Equal($"\"{name}\".\"{name}\"", store.Table);
    }

    [Fact]
    public void A_store_needs_a_connection_string_or_a_data_source()
    {
        var refused = Assert.Throws<OptionsValidationException>(() => new PostgresFamilyStore(new PostgresFamilyStoreOptions()));
        Assert.Contains("PostgresFamilyStoreOptions.ConnectionString", refused.Message, StringComparison.Ordinal);
        Assert.Contains("PostgresFamilyStoreOptions.DataSource", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Faults_say_the_outcome_is_unknown_and_leak_no_password_or_token()
    {
        await TestServers.RequirePostgresAsync();
        const string password = "pg-password-that-must-not-leak";
        var wrongPassword = new NpgsqlConnectionStringBuilder(TestServers.PostgresConnectionString) { Password = password, Timeout = 3 }.ConnectionString;
        var closedPort = new NpgsqlConnectionStringBuilder(wrongPassword) { Port = 1 }.ConnectionString;
        var issuedOn = await PostgresStores.CreateAsync();
        await using (issuedOn)
        {
            var logs = new CapturingLoggerProvider();
            using var loggerFactory = LoggerFactory.Create(builder => builder.AddProvider(logs));
            var token = (await new RefreshTokenEngine(issuedOn, new RotationEngineOptions(), TestKeys.Ring, TimeProvider.System).IssueAsync("leak", "web")).Token;

            foreach (var connectionString in new[] { wrongPassword, closedPort })
            {
                await using var broken = new PostgresFamilyStore(new PostgresFamilyStoreOptions { ConnectionString = connectionString, TableName = "t_unused" });
                var engine = new RefreshTokenEngine(broken, new RotationEngineOptions(), TestKeys.Ring, TimeProvider.System, loggerFactory);

                var fault = await Assert.ThrowsAsync<RotationStoreException>(async () => await engine.RotateAsync(token, "web"));
                var atStart = await Assert.ThrowsAsync<RotationStoreException>(async () => await broken.InitializeAsync());

                foreach (var exception in new Exception[] { fault, atStart })
                {
                    Assert.Contains("outcome", exception.Message, StringComparison.OrdinalIgnoreCase);
                    Assert.DoesNotContain(password, exception.ToString(), StringComparison.Ordinal);
                    Assert.DoesNotContain(token, exception.ToString(), StringComparison.Ordinal);
                }
            }

            Assert.Contains(logs.Entries, entry => entry.EventId.Name == "StoreFault" && entry.Exception is not null);
            Assert.DoesNotContain(password, logs.AllText, StringComparison.Ordinal);
            Assert.DoesNotContain(token, logs.AllText, StringComparison.Ordinal);
        }
    }

    private static IHost BuildHost(Action<PostgresFamilyStoreOptions> configure) =>
        new HostBuilder()
            .ConfigureServices(services =>
            {
                services.AddSingleton<IKeyRing>(TestKeys.Ring);
                services.AddRotationEngine().UsePostgresStore(configure);
            })
            .Build();

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestServers.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<bool> ExistsAsync(string table)
    {
        await using var connection = new NpgsqlConnection(TestServers.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection) { Parameters = { new() { Value = $"public.\"{table}\"" } } };
        return (bool)(await command.ExecuteScalarAsync())!;
    }
}
