using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
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
            var issued = await engine.IssueAsync("alice", "web");
            Assert.Equal(RotationOutcome.Rotated, (await engine.RotateAsync(issued.Token)).Outcome);
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
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SqliteStoreOptions>>().Value);
        Assert.Contains(error.Failures, f => f.Contains("SqliteStoreOptions.PoolSize", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("SqliteStoreOptions.DatabasePath or SqliteStoreOptions.ConnectionString is required", StringComparison.Ordinal));
    }
}
