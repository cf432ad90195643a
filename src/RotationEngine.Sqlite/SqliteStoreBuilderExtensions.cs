using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RotationEngine.DependencyInjection;
using RotationEngine.Sqlite;
using RotationEngine.Storage;

// The namespace of AddRotationEngine, so that UseSqliteStore is found without another using.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers the SQLite family store.</summary>
public static class SqliteStoreBuilderExtensions
{
    /// <summary>
    /// Keeps families in a SQLite file (<see cref="SqliteFamilyStore"/>, a singleton disposed with the container). In a
    /// host the options are validated when it starts (a missing directory is named), then the engine's start-up opens
    /// the store: the file is created, switched to WAL and migrated before the first request. Replaces an earlier store
    /// choice.
    /// </summary>
    /// <example><code>services.AddRotationEngine(o => …).UseSqliteStore(o => o.DatabasePath = "tokens.db");</code></example>
    public static RotationEngineBuilder UseSqliteStore(this RotationEngineBuilder builder, Action<SqliteStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<SqliteStoreOptions>().Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteStoreOptions>, SqliteStoreOptionsValidator>());
        services.TryAddSingleton(sp => new SqliteFamilyStore(
            sp.GetRequiredService<IOptions<SqliteStoreOptions>>().Value,
            sp.GetService<ILoggerFactory>()));
        return builder.UseStore(sp => sp.GetRequiredService<SqliteFamilyStore>());
    }
}

/// <summary>Start-up validation of <see cref="SqliteStoreOptions"/>.</summary>
internal sealed class SqliteStoreOptionsValidator : IValidateOptions<SqliteStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, SqliteStoreOptions options)
    {
        var errors = options.Validate().ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
