using RotationEngine.Postgres;
using RotationEngine.Servers.Tests.Infrastructure;

namespace RotationEngine.Servers.Tests.Postgres;

/// <summary>Stores on the shared server, each on a table of its own so that tests never see each other's rows.</summary>
internal static class PostgresStores
{
    public static string NewTableName() => "t_" + Guid.NewGuid().ToString("N");

    public static async Task<PostgresFamilyStore> CreateAsync(string? connectionString = null, string? table = null)
    {
        if (connectionString is null)
        {
            await TestServers.RequirePostgresAsync();
        }

        var store = new PostgresFamilyStore(new PostgresFamilyStoreOptions
        {
            ConnectionString = connectionString ?? TestServers.PostgresConnectionString,
            TableName = table ?? NewTableName(),
        });
        await store.MigrateAsync();
        return store;
    }
}
