using System.Net;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RotationEngine.Client.Internal;

namespace RotationEngine.Client;

/// <summary>
/// One signed-in session of a native or desktop client: holds its tokens, and refreshes them <b>once</b> for any number
/// of concurrent callers (single-flight). A rotating server retires the refresh token at every refresh, so two
/// uncoordinated refreshes race; the server's grace rule forgives the race, but a client that refreshes once needs no
/// forgiveness. Share one session between every <see cref="HttpClient"/> of the signed-in user
/// (see <see cref="RotatingTokenHandler"/>).
/// </summary>
/// <remarks>
/// A refresh that fails on the network or with a retryable status (503 with <c>Retry-After</c>, 429, 5xx) is retried
/// with the <b>same</b> refresh token within <see cref="TokenSessionOptions.RetryBudget"/>: if the lost attempt rotated,
/// the retry is a grace replay and returns the same new token. <c>invalid_grant</c> ends the session
/// (<see cref="SignedOut"/>, then <see cref="SignedOutException"/> for every caller) without another attempt.
/// A caller's cancellation stops its own wait, never a refresh in flight: abandoning a rotation half-way would lose
/// the only valid refresh token.
/// </remarks>
public sealed partial class TokenSession : IDisposable
{
    private static readonly HashSet<HttpStatusCode> Retryable =
    [
        HttpStatusCode.RequestTimeout, HttpStatusCode.TooManyRequests, HttpStatusCode.InternalServerError,
        HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout,
    ];

    private readonly TokenSessionOptions _options;
    private readonly ITokenStore _store;
    private readonly HttpMessageInvoker _tokenClient;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _loadGate = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private State? _current;
    private bool _loaded;
    private Task<TokenSet>? _inFlight;
    private string? _nonce;
    private int _refreshRequests;

    /// <summary>Creates a session.</summary>
    /// <param name="options">Endpoint, credentials and retry rules (validated now).</param>
    /// <param name="store">Where the tokens are kept between runs; read at first use.</param>
    /// <param name="tokenClient">Sends the refresh and revocation requests (an <see cref="HttpClient"/> without
    /// <see cref="RotatingTokenHandler"/>). The session does not dispose it.</param>
    /// <param name="logger">Optional logger; no entry carries a token.</param>
    public TokenSession(TokenSessionOptions options, ITokenStore store, HttpMessageInvoker tokenClient, ILogger<TokenSession>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(tokenClient);
        options.Validate();
        _options = options;
        _store = store;
        _tokenClient = tokenClient;
        _time = options.TimeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Raised once when the server refuses the refresh token (<c>invalid_grant</c>) or after <see cref="SignOutAsync"/>.</summary>
    public event EventHandler<SignedOutEventArgs>? SignedOut;

    /// <summary>Raised before each retry of a refresh with the same refresh token.</summary>
    public event EventHandler<RefreshRetryEventArgs>? RetryScheduled;

    /// <summary>Raised after each successful refresh, once its tokens are saved.</summary>
    public event EventHandler<TokensRefreshedEventArgs>? Refreshed;

    /// <summary>How many refresh requests this session has sent (retries included).</summary>
    public int RefreshRequests => Volatile.Read(ref _refreshRequests);

    /// <summary>
    /// The current tokens, refreshed first (once, whoever else asks at the same time) when the access token is missing
    /// or about to expire.
    /// </summary>
    /// <exception cref="SignedOutException">No session: the user must sign in.</exception>
    /// <exception cref="TokenRefreshException">The refresh failed for now; the session is kept.</exception>
    public async ValueTask<TokenSet> GetTokensAsync(CancellationToken cancellationToken = default)
    {
        State state = await CurrentAsync(cancellationToken).ConfigureAwait(false);
        if (state.Tokens.AccessToken is not null && (state.RefreshAt is not { } at || _time.GetUtcNow() < at))
        {
            return state.Tokens;
        }

        return await RefreshAsync(state.Tokens, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Refreshes because <paramref name="stale"/> no longer works (an API answered 401). If another caller has already
    /// replaced those tokens, returns the replacement without a request; if a refresh is in flight, joins it.
    /// </summary>
    /// <exception cref="SignedOutException">The session has ended.</exception>
    /// <exception cref="TokenRefreshException">The refresh failed for now; the session is kept.</exception>
    public async Task<TokenSet> RefreshAsync(TokenSet stale, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stale);
        await CurrentAsync(cancellationToken).ConfigureAwait(false);
        Task<TokenSet> flight;
        TaskCompletionSource<TokenSet>? started = null;
        string refreshToken;
        lock (_gate)
        {
            State current = _current ?? throw new SignedOutException();
            if (!ReferenceEquals(current.Tokens, stale))
            {
                return current.Tokens;          // someone refreshed (or signed in) since the caller looked
            }

            refreshToken = current.Tokens.RefreshToken;
            if (_inFlight is null)
            {
                started = new TaskCompletionSource<TokenSet>(TaskCreationOptions.RunContinuationsAsynchronously);
                _inFlight = started.Task;
            }

            flight = _inFlight;
        }

        if (started is not null)
        {
            _ = RunRefreshAsync(refreshToken, started);
        }

        return await flight.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts a session with tokens from a sign-in (saved first), replacing any other.</summary>
    public async ValueTask SignInAsync(TokenSet tokens, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentException.ThrowIfNullOrEmpty(tokens.RefreshToken, nameof(tokens));
        await _store.SaveAsync(tokens, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _current = NewState(tokens);
            _loaded = true;
        }
    }

    /// <summary>
    /// Ends the session: revokes the refresh token at <see cref="TokenSessionOptions.RevocationEndpoint"/> (RFC 7009,
    /// which revokes the whole family on a RotationEngine server) when one is configured, then forgets the tokens.
    /// A failed revocation is logged and the tokens are forgotten anyway.
    /// </summary>
    public async ValueTask SignOutAsync(CancellationToken cancellationToken = default)
    {
        State? state = _loaded ? _current : await LoadAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _current = null;
            _loaded = true;
        }

        await _store.ClearAsync(cancellationToken).ConfigureAwait(false);
        if (state is not null && _options.RevocationEndpoint is { } endpoint)
        {
            using TokenRevocationResponse response = await _tokenClient.RevokeTokenAsync(
                new TokenRevocationRequest
                {
                    Address = endpoint.AbsoluteUri,
                    ClientId = _options.ClientId,
                    ClientSecret = _options.ClientSecret,
                    ClientCredentialStyle = CredentialStyle,
                    Token = state.Tokens.RefreshToken,
                    TokenTypeHint = "refresh_token",
                },
                cancellationToken).ConfigureAwait(false);
            if (response.IsError)
            {
                Log.RevocationFailed(_logger, _options.ClientId, response.Error ?? response.HttpStatusCode.ToString());
            }
        }

        if (state is not null)
        {
            SignedOut?.Invoke(this, new SignedOutEventArgs("signed_out", null));
        }
    }

    /// <summary>Records the latest <c>DPoP-Nonce</c> a server sent (RFC 9449 §8/§9), passed to the next proof.</summary>
    public void UpdateNonce(string? nonce)
    {
        if (!string.IsNullOrEmpty(nonce))
        {
            Volatile.Write(ref _nonce, nonce);
        }
    }

    internal string? Nonce => Volatile.Read(ref _nonce);

    internal IRequestProofProvider? ProofProvider => _options.ProofProvider;

    /// <summary>Stops refreshes in flight (their callers get an <see cref="OperationCanceledException"/>).</summary>
    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
        _loadGate.Dispose();
    }

    private ClientCredentialStyle CredentialStyle =>
        _options.CredentialStyle ?? (_options.ClientSecret is null ? ClientCredentialStyle.PostBody : ClientCredentialStyle.AuthorizationHeader);

    private async ValueTask<State> CurrentAsync(CancellationToken cancellationToken)
    {
        State? state = Volatile.Read(ref _current);
        if (state is null && !Volatile.Read(ref _loaded))
        {
            state = await LoadAsync(cancellationToken).ConfigureAwait(false);
        }

        return state ?? throw new SignedOutException("No session: sign in first.");
    }

    private async ValueTask<State?> LoadAsync(CancellationToken cancellationToken)
    {
        await _loadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!Volatile.Read(ref _loaded))
            {
                TokenSet? tokens = await _store.LoadAsync(cancellationToken).ConfigureAwait(false);
                lock (_gate)
                {
                    if (!_loaded)
                    {
                        _current = tokens is null || string.IsNullOrEmpty(tokens.RefreshToken) ? null : NewState(tokens);
                        _loaded = true;
                    }
                }
            }

            return Volatile.Read(ref _current);
        }
        finally
        {
            _loadGate.Release();
        }
    }

    private State NewState(TokenSet tokens)
    {
        if (tokens.AccessTokenExpiresAt is not { } expiresAt)
        {
            return new State(tokens, null);
        }

        TimeSpan left = expiresAt - _time.GetUtcNow();
        TimeSpan early = left / 2 < _options.RefreshBeforeExpiry ? left / 2 : _options.RefreshBeforeExpiry;
        return new State(tokens, expiresAt - (early > TimeSpan.Zero ? early : TimeSpan.Zero));
    }

    private sealed record State(TokenSet Tokens, DateTimeOffset? RefreshAt);
}
