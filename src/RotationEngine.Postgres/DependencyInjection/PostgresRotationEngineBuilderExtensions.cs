using RotationEngine.DependencyInjection;
using RotationEngine.Postgres;

// The builder's namespace, so that the extension is found wherever the builder is.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Selects the PostgreSQL family store.</summary>
public static class PostgresRotationEngineBuilderExtensions
{
    /// <summary>Keeps families in PostgreSQL, in the table <c>rotation_families</c> of the database
    /// <paramref name="connectionString"/> names; the schema is created or migrated before the first operation.</summary>
    public static RotationEngineBuilder UsePostgresStore(this RotationEngineBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UsePostgresStore(options => options.ConnectionString = connectionString);
    }

    /// <summary>Keeps families in PostgreSQL as <paramref name="configure"/> describes (connection string or a
    /// host-owned <c>NpgsqlDataSource</c>, schema, table name).</summary>
    public static RotationEngineBuilder UsePostgresStore(this RotationEngineBuilder builder, Action<PostgresFamilyStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new PostgresFamilyStoreOptions();
        configure(options);
        return builder.UseStore(_ => new PostgresFamilyStore(options));
    }
}
