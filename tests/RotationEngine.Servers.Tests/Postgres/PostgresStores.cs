using Npgsql;
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

/// <summary>A PostgreSQL store's rows through plain SQL, bypassing the store.</summary>
internal sealed class PostgresRawRecords(PostgresFamilyStore store) : IRawRecords
{
    public async Task SetAsync(FamilyId id, string column, object value)
    {
        await using var connection = new NpgsqlConnection(TestServers.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"UPDATE {store.Table} SET {column} = $1 WHERE id = $2", connection)
        {
            Parameters = { new() { Value = value }, new() { Value = id.Value } },
        };
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    public async Task<byte[]> DigestAsync(FamilyId id)
    {
        await using var connection = new NpgsqlConnection(TestServers.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT digest FROM {store.Table} WHERE id = $1", connection) { Parameters = { new() { Value = id.Value } } };
        return (byte[])(await command.ExecuteScalarAsync())!;
    }
}
