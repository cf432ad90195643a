namespace RotationEngine.AspNetCore.Clients;

/// <summary>The OAuth clients the endpoints accept (RFC 6749 §2). Implement it over your own client table, or use the
/// <see cref="InMemoryClientRegistry"/> that <c>AddRotationEndpoints</c> builds from configuration.</summary>
public interface IClientRegistry
{
    /// <summary>The client registered under <paramref name="clientId"/> (compared ordinally), or null when there is none.</summary>
    /// <param name="clientId">The client id the request presented (never null or empty, at most 256 characters, no control characters).</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    ValueTask<ClientRegistration?> FindAsync(string clientId, CancellationToken cancellationToken = default);
}
