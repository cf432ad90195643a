using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RotationEngine.DependencyInjection;
using RotationEngine.Postgres;
using RotationEngine.Postgres.Internal;

// The builder's namespace, so that the extension is found wherever the builder is.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Selects the PostgreSQL family store.</summary>
public static class PostgresRotationEngineBuilderExtensions
{
    /// <summary>Keeps families in PostgreSQL, in the table <c>rotation_families</c> of the database
    /// <paramref name="connectionString"/> names; the schema is created or migrated when the host starts.</summary>
    public static RotationEngineBuilder UsePostgresStore(this RotationEngineBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UsePostgresStore(options => options.ConnectionString = connectionString);
    }

    /// <summary>Keeps families in PostgreSQL as <paramref name="configure"/> describes (connection string or a
    /// host-owned <c>NpgsqlDataSource</c>, schema, table name). The options are validated when the host starts
    /// (<see cref="OptionsValidationException"/> naming the option and what it allows), and the schema is then
    /// migrated, or checked when <see cref="PostgresFamilyStoreOptions.MigrateSchema"/> is off.</summary>
    public static RotationEngineBuilder UsePostgresStore(this RotationEngineBuilder builder, Action<PostgresFamilyStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptionsWithValidateOnStart<PostgresFamilyStoreOptions>().Configure(configure);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresFamilyStoreOptions>, PostgresFamilyStoreOptionsValidator>());
        return builder.UseStore(services => new PostgresFamilyStore(services.GetRequiredService<IOptions<PostgresFamilyStoreOptions>>().Value));
    }
}
