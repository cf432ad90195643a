using System.Collections.Frozen;

namespace RotationEngine.AspNetCore.Clients;

/// <summary>A fixed set of clients, for example read from configuration (<c>Clients</c> section).</summary>
public sealed class InMemoryClientRegistry : IClientRegistry
{
    private readonly FrozenDictionary<string, ClientRegistration> _clients;

    /// <summary>Builds the registry from the given clients.</summary>
    /// <param name="clients">The clients; ids must be distinct (ordinal).</param>
    /// <exception cref="ArgumentException">Two clients share an id.</exception>
    public InMemoryClientRegistry(IEnumerable<ClientRegistration> clients)
    {
        ArgumentNullException.ThrowIfNull(clients);
        var map = new Dictionary<string, ClientRegistration>(StringComparer.Ordinal);
        foreach (var client in clients)
        {
            if (!map.TryAdd(client.ClientId, client))
            {
                throw new ArgumentException($"Client '{client.ClientId}' is registered twice.", nameof(clients));
            }
        }

        _clients = map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The registered clients.</summary>
    public IReadOnlyCollection<ClientRegistration> Clients => _clients.Values;

    /// <inheritdoc />
    public ValueTask<ClientRegistration?> FindAsync(string clientId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_clients.GetValueOrDefault(clientId));
}
