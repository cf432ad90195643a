using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RotationEngine.DependencyInjection;
using RotationEngine.DPoP;

namespace RotationEngine.Sqlite.DPoP;

/// <summary>Registers the SQLite DPoP replay cache.</summary>
public static class SqliteDPoPBuilderExtensions
{
    /// <summary>
    /// Keeps accepted DPoP proofs in the family store's SQLite file (<see cref="SqliteDPoPReplayCache"/>), so that every
    /// instance sharing that file refuses a proof another instance accepted. Call after <c>UseSqliteStore</c>; replaces
    /// any other <see cref="IDPoPReplayCache"/>.
    /// </summary>
    /// <param name="builder">The engine's builder.</param>
    public static RotationEngineBuilder UseSqliteDPoPReplayCache(this RotationEngineBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<IDPoPReplayCache>();
        builder.Services.AddSingleton<IDPoPReplayCache>(sp => new SqliteDPoPReplayCache(sp.GetRequiredService<IOptions<SqliteFamilyStoreOptions>>().Value));
        return builder;
    }
}
