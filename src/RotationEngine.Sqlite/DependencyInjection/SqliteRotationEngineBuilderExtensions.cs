using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RotationEngine.DependencyInjection;
using RotationEngine.Sqlite;
using RotationEngine.Sqlite.Internal;
using RotationEngine.Storage;

// The namespace of AddRotationEngine, so that UseSqliteStore is found without another using.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Selects the SQLite family store.</summary>
public static class SqliteRotationEngineBuilderExtensions
{
    /// <summary>
    /// Keeps families in a SQLite file (<see cref="SqliteFamilyStore"/>, a singleton disposed with the container). In a
    /// host the options are validated when it starts (a missing directory is named), then the engine's start-up opens
    /// the store: the file is created, switched to WAL and migrated before the first request. Replaces an earlier store
    /// choice.
    /// </summary>
    /// <example><code>services.AddRotationEngine(o => …).UseSqliteStore(o => o.DatabasePath = "tokens.db");</code></example>
    public static RotationEngineBuilder UseSqliteStore(this RotationEngineBuilder builder, Action<SqliteFamilyStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<SqliteFamilyStoreOptions>().Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteFamilyStoreOptions>, SqliteFamilyStoreOptionsValidator>());
        services.TryAddSingleton(sp => new SqliteFamilyStore(
            sp.GetRequiredService<IOptions<SqliteFamilyStoreOptions>>().Value,
            sp.GetService<ILoggerFactory>()));
        return builder.UseStore(sp => sp.GetRequiredService<SqliteFamilyStore>());
    }
}
