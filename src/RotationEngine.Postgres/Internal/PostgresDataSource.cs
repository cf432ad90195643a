using Npgsql;

namespace RotationEngine.Postgres.Internal;

/// <summary>The data source the options name: the host's own (never disposed here) or a pooled one built from the
/// connection string, which its creator owns.</summary>
internal static class PostgresDataSource
{
    public static NpgsqlDataSource Create(PostgresFamilyStoreOptions options, out bool owned)
    {
        if (options.DataSource is { } dataSource)
        {
            owned = false;
            return dataSource;
        }

        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        if (builder.MaxAutoPrepare == 0)
        {
            // Prepared statements save PostgreSQL the parse and plan of every rotation.
            builder.MaxAutoPrepare = 16;
        }

        owned = true;
        return NpgsqlDataSource.Create(builder);
    }
}
