using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using RotationEngine.Postgres;
using RotationEngine.Servers.Tests.Infrastructure;
using RotationEngine.Storage;
using RotationEngine.Testing;

namespace RotationEngine.Servers.Tests.Postgres;

public sealed class PostgresStoreTests
{
    [Fact]
    public async Task A_rotation_is_one_statement()
    {
        await using var store = await PostgresStores.CreateAsync();
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions(), TestKeys.Ring, new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56)));
        var token = (await engine.IssueAsync("round-trips", "web")).Token;
        token = (await engine.RotateAsync(token)).Token!; // warm: pool, prepared statement

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
            var result = await engine.RotateAsync(token);
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

            Assert.Equal(1, applied.Sum());
            Assert.Equal(0, await stores[0].MigrateAsync());
            await using var connection = new NpgsqlConnection(TestServers.PostgresConnectionString);
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM \"{table}_migrations\"", connection);
            Assert.Equal(1L, await count.ExecuteScalarAsync());
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
            $"GRANT SELECT, INSERT, UPDATE, DELETE ON \"{table}\", \"{table}_migrations\" TO \"{role}\"",
        })
        {
            await using var command = new NpgsqlCommand(statement, admin);
            await command.ExecuteNonQueryAsync();
        }

        var app = new NpgsqlConnectionStringBuilder(TestServers.PostgresConnectionString) { Username = role, Password = "app-password" };
        await using var store = new PostgresFamilyStore(new PostgresFamilyStoreOptions { ConnectionString = app.ConnectionString, TableName = table });
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions(), TestKeys.Ring);

        var issued = await engine.IssueAsync("least-privilege", "web");
        Assert.Equal(RotationOutcome.Rotated, (await engine.RotateAsync(issued.Token)).Outcome);
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

        await using (var connection = new NpgsqlConnection(TestServers.PostgresConnectionString))
        {
            await connection.OpenAsync();
            await using var newer = new NpgsqlCommand($"INSERT INTO \"{table}_migrations\" (version) VALUES (99)", connection);
            await newer.ExecuteNonQueryAsync();
        }

        await using var older = new PostgresFamilyStore(new PostgresFamilyStoreOptions { ConnectionString = TestServers.PostgresConnectionString, TableName = table });
        var refused = await Assert.ThrowsAsync<RotationStoreException>(async () => await older.FindAsync(FamilyId.New()));
        Assert.Contains("schema version 99", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_engines_with_skewed_clocks_share_one_store()
    {
        await using var store = await PostgresStores.CreateAsync();
        await Scenarios.SeveralEnginesShareOneStoreAsync(store);
    }

    [Fact]
    public async Task UsePostgresStore_registers_a_working_store()
    {
        await TestServers.RequirePostgresAsync();
        var table = PostgresStores.NewTableName();
        var services = new ServiceCollection();
        services.AddRotationEngine(options => options.DefaultPolicy = new RotationPolicy())
            .UsePostgresStore(options =>
            {
                options.ConnectionString = TestServers.PostgresConnectionString;
                options.TableName = table;
            });
        await using var provider = services.BuildServiceProvider();

        Assert.IsType<PostgresFamilyStore>(provider.GetRequiredService<IFamilyStore>());
        var engine = provider.GetRequiredService<RefreshTokenEngine>();
        var issued = await engine.IssueAsync("di", "web");
        Assert.Equal(RotationOutcome.Rotated, (await engine.RotateAsync(issued.Token)).Outcome);
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

                var fault = await Assert.ThrowsAsync<RotationStoreException>(async () => await engine.RotateAsync(token));

                Assert.Contains("outcome", fault.Message, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(password, fault.ToString(), StringComparison.Ordinal);
                Assert.DoesNotContain(token, fault.ToString(), StringComparison.Ordinal);
            }

            Assert.Contains(logs.Entries, entry => entry.EventId.Name == "StoreFault" && entry.Exception is not null);
            Assert.DoesNotContain(password, logs.AllText, StringComparison.Ordinal);
            Assert.DoesNotContain(token, logs.AllText, StringComparison.Ordinal);
        }
    }
}
