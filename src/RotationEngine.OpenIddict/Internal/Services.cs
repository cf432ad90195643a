using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenIddict.Abstractions;

namespace RotationEngine.OpenIddict.Internal;

/// <summary>What the handlers resolve, with messages that say how to fix a missing registration.</summary>
internal static class Services
{
    public const string LoggerCategory = "RotationEngine.OpenIddict";

    public static RefreshTokenEngine Engine(IServiceProvider provider) =>
        provider.GetService<RefreshTokenEngine>() ?? throw new InvalidOperationException(
            "OpenIddict's server uses RotationEngine for refresh tokens (UseRotationEngine), but no RefreshTokenEngine is registered. Call "
            + "services.AddRotationEngine(o => o.Keys.Add(…)).UseSqliteStore(…) (or another store) next to AddOpenIddict().");

    public static ILogger Logger(IServiceProvider provider) =>
        provider.GetService<ILoggerFactory>()?.CreateLogger(LoggerCategory) ?? NullLogger.Instance;

    public static Authorizations Authorizations(IServiceProvider provider) =>
        new(provider.GetService<IOpenIddictAuthorizationManager>(), Logger(provider));
}
