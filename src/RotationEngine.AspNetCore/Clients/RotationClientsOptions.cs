namespace RotationEngine.AspNetCore.Clients;

/// <summary>The clients of the <see cref="InMemoryClientRegistry"/> the package registers when the host registers no
/// <see cref="IClientRegistry"/> of its own: configuration section <c>Clients</c>, keyed by client id.</summary>
public sealed class RotationClientsOptions
{
    /// <summary>The clients by id (ordinal).</summary>
    public IDictionary<string, ClientOptions> Clients { get; } = new Dictionary<string, ClientOptions>(StringComparer.Ordinal);
}
