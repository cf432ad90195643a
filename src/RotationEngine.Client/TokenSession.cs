using System.Net;
using System.Net.Http.Headers;
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
public sealed class TokenSession : IDisposable
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

    private async Task RunRefreshAsync(string refreshToken, TaskCompletionSource<TokenSet> flight)
    {
        try
        {
            (TokenSet next, int attempts) = await RequestWithRetriesAsync(refreshToken, _disposed.Token).ConfigureAwait(false);
            Exception? saveFailure = null;
            try
            {
                await _store.SaveAsync(next, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // the new tokens must be kept whatever the store threw: the old refresh token is retired
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.SaveFailed(_logger, _options.ClientId, e);
                saveFailure = e;
            }

            lock (_gate)
            {
                if (_current?.Tokens.RefreshToken == refreshToken)
                {
                    _current = NewState(next);
                }

                _inFlight = null;
            }

            if (saveFailure is not null)
            {
                flight.SetException(new TokenRefreshException("The tokens were refreshed but could not be saved; they are kept in memory.", saveFailure));
                return;
            }

            Log.Refreshed(_logger, _options.ClientId, attempts);
            flight.SetResult(next);
            Refreshed?.Invoke(this, new TokensRefreshedEventArgs(attempts));
        }
        catch (SignedOutException e)
        {
            bool ended;
            lock (_gate)
            {
                ended = _current?.Tokens.RefreshToken == refreshToken;   // not if the user signed in again meanwhile
                if (ended)
                {
                    _current = null;
                }

                _inFlight = null;
            }

            if (ended)
            {
                try
                {
                    await _store.ClearAsync(CancellationToken.None).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // the session is over in memory whatever the store says
                catch (Exception clear)
#pragma warning restore CA1031
                {
                    Log.SaveFailed(_logger, _options.ClientId, clear);
                }
            }

            flight.SetException(e);
            if (ended)
            {
                SignedOut?.Invoke(this, new SignedOutEventArgs("invalid_grant", e.Message));
            }
        }
#pragma warning disable CA1031 // every failure goes to the waiting callers
        catch (Exception e)
#pragma warning restore CA1031
        {
            lock (_gate)
            {
                _inFlight = null;
            }

            flight.SetException(e);
        }
    }

    private async Task<(TokenSet Tokens, int Attempts)> RequestWithRetriesAsync(string refreshToken, CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        Uri endpoint = _options.TokenEndpoint!;
        for (int attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var request = new RefreshTokenRequest
            {
                Address = endpoint.AbsoluteUri,
                ClientId = _options.ClientId,
                ClientSecret = _options.ClientSecret,
                ClientCredentialStyle = CredentialStyle,
                RefreshToken = refreshToken,
                Scope = _options.Scope,
            };
            if (_options.ProofProvider is { } proofs)
            {
                request.DPoPProofToken = await proofs.CreateProofAsync(
                    new ProofRequest(ProofRequestKind.TokenRefresh, HttpMethod.Post, endpoint, null, Nonce), cancellationToken).ConfigureAwait(false);
            }

            Interlocked.Increment(ref _refreshRequests);
            using TokenResponse response = await _tokenClient.RequestRefreshTokenAsync(request, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            UpdateNonce(response.DPoPNonce);
            int? status = response.HttpResponse is null ? null : (int)response.HttpStatusCode;

            if (!response.IsError)
            {
                if (string.IsNullOrEmpty(response.AccessToken))
                {
                    throw new TokenRefreshException("The token endpoint answered without an access_token.") { StatusCode = status };
                }

                return (ToTokenSet(response, refreshToken), attempt);
            }

            // Duende reports a 400's OAuth error as Error, another status's reason phrase: read the body's error itself.
            string? error = response.Json is null ? null : response.TryGet("error");
            if (error == "invalid_grant")
            {
                Log.SignedOut(_logger, _options.ClientId, "invalid_grant");
                throw new SignedOutException("The server refused the refresh token (invalid_grant): sign in again.");
            }

            string reason;
            TimeSpan? retryAfter = null;
            if (response.ErrorType == ResponseErrorType.Exception || response.HttpResponse is null)
            {
                reason = response.Exception?.GetType().Name ?? "network failure";
            }
            else if (Retryable.Contains(response.HttpStatusCode))
            {
                reason = ((int)response.HttpStatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                retryAfter = RetryAfter(response.HttpResponse);
            }
            else
            {
                Log.RefreshFailed(_logger, _options.ClientId, attempt, error ?? "HTTP error", status);
                throw new TokenRefreshException($"The token endpoint refused the refresh ({error ?? "HTTP " + status}).")
                {
                    Error = error,
                    StatusCode = status,
                };
            }

            TimeSpan delay = retryAfter ?? Backoff(attempt);
            if (delay > _options.MaxRetryDelay)
            {
                delay = _options.MaxRetryDelay;
            }

            if (attempt >= _options.MaxAttempts || _time.GetElapsedTime(started) + delay > _options.RetryBudget)
            {
                Log.RefreshFailed(_logger, _options.ClientId, attempt, reason, status);
                throw new TokenRefreshException($"The token endpoint stayed unavailable ({reason}) after {attempt} attempt(s); the refresh token is kept.", response.Exception)
                {
                    Error = error,
                    StatusCode = status,
                };
            }

            Log.RefreshRetry(_logger, attempt, _options.ClientId, reason, status, delay.TotalMilliseconds);
            RetryScheduled?.Invoke(this, new RefreshRetryEventArgs(attempt, delay, status, reason));
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private TokenSet ToTokenSet(TokenResponse response, string presented)
    {
        DateTimeOffset now = _time.GetUtcNow();
        DateTimeOffset? refreshExpiresAt = null;
        if (response.TryGet("refresh_token_expires_in") is { } raw &&
            int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int seconds))
        {
            refreshExpiresAt = now.AddSeconds(seconds);
        }

        return new TokenSet(
            response.AccessToken,
            string.IsNullOrEmpty(response.TokenType) ? "Bearer" : response.TokenType,
            response.ExpiresIn > 0 ? now.AddSeconds(response.ExpiresIn) : null,
            string.IsNullOrEmpty(response.RefreshToken) ? presented : response.RefreshToken,   // RFC 6749 §6: the server may keep it
            refreshExpiresAt);
    }

    internal TimeSpan Backoff(int attempt) =>
        TimeSpan.FromTicks(_options.InitialRetryDelay.Ticks * (1L << Math.Min(attempt - 1, 20)));

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        RetryConditionHeaderValue? header = response.Headers.RetryAfter;
        TimeSpan? delay = header?.Delta ?? (header?.Date is { } date ? date - _time.GetUtcNow() : null);
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
    }

    private sealed record State(TokenSet Tokens, DateTimeOffset? RefreshAt);
}
