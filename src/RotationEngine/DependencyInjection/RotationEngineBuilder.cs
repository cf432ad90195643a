using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RotationEngine.Events;
using RotationEngine.Storage;

namespace RotationEngine.DependencyInjection;

/// <summary>Configures the engine registered by <c>AddRotationEngine</c>: pick a store, add observers.</summary>
public sealed class RotationEngineBuilder
{
    internal RotationEngineBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection, for store packages' <c>Use…Store</c> extensions.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Keeps families in process memory (lost on restart): for development and tests.</summary>
    public RotationEngineBuilder UseInMemoryStore() => UseStore(_ => new InMemoryFamilyStore());

    /// <summary>Uses the store <paramref name="factory"/> creates (a singleton). Replaces an earlier choice.</summary>
    public RotationEngineBuilder UseStore(Func<IServiceProvider, IFamilyStore> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.Replace(ServiceDescriptor.Singleton(factory));
        return this;
    }

    /// <summary>Adds an observer of <see cref="RotationEvent"/>s (a singleton).</summary>
    public RotationEngineBuilder AddObserver<TObserver>()
        where TObserver : class, IRotationEventObserver
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IRotationEventObserver, TObserver>());
        return this;
    }
}
