namespace RotationEngine.Client;

/// <summary>
/// Where a client keeps its tokens between runs (the OS keychain, DPAPI, an encrypted file). A rotating server retires
/// a refresh token at every refresh, so a store that loses the newest one logs the user out at the next start.
/// </summary>
public interface ITokenStore
{
    /// <summary>Reads the saved tokens, or <see langword="null"/> when the user is signed out.</summary>
    ValueTask<TokenSet?> LoadAsync(CancellationToken cancellationToken = default);

    /// <summary>Saves the tokens after a refresh (before any caller sees them). Must be durable when it returns.</summary>
    ValueTask SaveAsync(TokenSet tokens, CancellationToken cancellationToken = default);

    /// <summary>Forgets the tokens (sign-out, or the server refused the refresh token).</summary>
    ValueTask ClearAsync(CancellationToken cancellationToken = default);
}

/// <summary>An <see cref="ITokenStore"/> in memory (tests, or a session that must not outlive the process).</summary>
public sealed class InMemoryTokenStore : ITokenStore
{
    private volatile TokenSet? _tokens;

    /// <summary>Creates a store holding <paramref name="tokens"/> (signed out when <see langword="null"/>).</summary>
    public InMemoryTokenStore(TokenSet? tokens = null) => _tokens = tokens;

    /// <summary>The tokens held now.</summary>
    public TokenSet? Tokens => _tokens;

    /// <inheritdoc/>
    public ValueTask<TokenSet?> LoadAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(_tokens);

    /// <inheritdoc/>
    public ValueTask SaveAsync(TokenSet tokens, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        _tokens = tokens;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask ClearAsync(CancellationToken cancellationToken = default)
    {
        _tokens = null;
        return ValueTask.CompletedTask;
    }
}
