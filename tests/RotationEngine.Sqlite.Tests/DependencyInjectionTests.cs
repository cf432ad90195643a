using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RotationEngine.Sqlite.Internal;
using RotationEngine.Storage;

namespace RotationEngine.Sqlite.Tests;

public sealed class DependencyInjectionTests
{
    [Fact]
    public async Task UseSqliteStore_registers_the_store_and_the_engine_uses_it()
    {
        using var database = new TestDatabase();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRotationEngine(o => o.Keys.Add(new KeyOptions { Id = "k1", Secret = Fixtures.NewKeyBase64() }))
            .UseSqliteStore(o => o.DatabasePath = database.Path);
        SqliteFamilyStore store;
        await using (var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }))
        {
            store = Assert.IsType<SqliteFamilyStore>(provider.GetRequiredService<IFamilyStore>());
            Assert.Same(store, provider.GetRequiredService<SqliteFamilyStore>());
            var engine = provider.GetRequiredService<RefreshTokenEngine>();
            var issued = await engine.IssueAsync("alice", Fixtures.Client);
            Assert.Equal(RotationOutcome.Rotated, (await engine.RotateAsync(issued.Token, Fixtures.Client)).Outcome);
            Assert.Equal(1L, database.Scalar("SELECT generation FROM families"));
        }

        // Disposed with the container.
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.FindAsync(FamilyId.New()));
    }

    [Fact]
    public void Invalid_options_fail_at_start_naming_the_option()
    {
        var services = new ServiceCollection();
        services.AddRotationEngine().UseSqliteStore(o => o.PoolSize = 0);
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SqliteFamilyStoreOptions>>().Value);
        Assert.Contains(error.Failures, f => f.Contains("SqliteFamilyStoreOptions.PoolSize", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("SqliteFamilyStoreOptions.DatabasePath or SqliteFamilyStoreOptions.ConnectionString is required", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_host_whose_database_directory_is_missing_does_not_start_and_names_the_directory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "re-sqlite-missing-" + Guid.NewGuid().ToString("N"), "var", "lib", "x");
        using var host = Host(o => o.DatabasePath = Path.Combine(directory, "tokens.db"));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains($"SqliteFamilyStoreOptions.DatabasePath: the directory '{directory}' does not exist.", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task A_host_opens_the_store_when_it_starts_before_any_request()
    {
        using var database = new TestDatabase();
        using var host = Host(o => o.DatabasePath = database.Path);
        Assert.False(File.Exists(database.Path));

        await host.StartAsync();
        try
        {
            // Created, in WAL mode and migrated by the start-up alone.
            Assert.True(File.Exists(database.Path));
            Assert.Equal((long)Schema.CurrentVersion, database.Scalar("PRAGMA user_version"));
            Assert.Equal("wal", database.Scalar("PRAGMA journal_mode"));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(database.Path));
            }

            var engine = host.Services.GetRequiredService<RefreshTokenEngine>();
            var issued = await engine.IssueAsync("alice", Fixtures.Client);
            Assert.Equal(RotationOutcome.Rotated, (await engine.RotateAsync(issued.Token, Fixtures.Client)).Outcome);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static IHost Host(Action<SqliteFamilyStoreOptions> configure)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });
        builder.Services.AddRotationEngine(o => o.Keys.Add(new KeyOptions { Id = "k1", Secret = Fixtures.NewKeyBase64() }))
            .UseSqliteStore(configure);
        return builder.Build();
    }
}
