using System.Net.Http.Headers;
using Duende.IdentityModel.Client;
using RotationEngine.Client.Internal;

namespace RotationEngine.Client;

/// <summary>The refresh itself: one flight on the token endpoint, its retries with the same refresh token, and how
/// the answer becomes the session's tokens (or ends the session).</summary>
public sealed partial class TokenSession
{
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
        bool nonceRetried = false;
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

            // RFC 9449 §8: the server wants its nonce in the proof; retry once at once with the DPoP-Nonce it sent.
            if (error == "use_dpop_nonce" && _options.ProofProvider is not null && !nonceRetried && !string.IsNullOrEmpty(response.DPoPNonce))
            {
                nonceRetried = true;
                continue;
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
}
