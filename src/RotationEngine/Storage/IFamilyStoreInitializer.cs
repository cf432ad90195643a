namespace RotationEngine.Storage;

/// <summary>
/// A store that has work to do before its first operation (connect, create or migrate its schema). When the engine is
/// registered with <c>AddRotationEngine</c> in a host, the host runs it at start-up, so that a missing directory, an
/// unreachable server or a schema from a newer version stops the start with its message instead of failing the first
/// refresh with "outcome unknown". Stores that do all of it in their constructor need not implement it.
/// </summary>
public interface IFamilyStoreInitializer
{
    /// <summary>Connects and checks or migrates the schema; safe to call more than once and from several instances.</summary>
    /// <exception cref="RotationStoreException">The store cannot be used.</exception>
    ValueTask InitializeAsync(CancellationToken cancellationToken = default);
}
