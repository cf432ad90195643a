using Microsoft.Extensions.Hosting;
using RotationEngine.Storage;

namespace RotationEngine.DependencyInjection;

/// <summary>Builds the engine (and so opens its store and checks its keys) when the host starts, and runs the store's
/// <see cref="IFamilyStoreInitializer"/> if it has one: configuration errors stop the start with their message.</summary>
internal sealed class RotationEngineStartup(RefreshTokenEngine engine, IFamilyStore store) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Stryker disable once Statement : the container builds the engine to construct this service; the call only marks the parameter as used
        GC.KeepAlive(engine);
        if (store is IFamilyStoreInitializer initializer)
        {
            await initializer.InitializeAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
