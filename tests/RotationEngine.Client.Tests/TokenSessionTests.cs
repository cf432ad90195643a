using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace RotationEngine.Client.Tests;

/// <summary>The single-flight handler against the real engine behind real Kestrel, with a real OAuth client (Duende).</summary>
public sealed class TokenSessionTests : IAsyncLifetime
{
    private TokenServer _server = null!;
    private readonly HttpClient _backchannel = new();

    public async Task InitializeAsync() => _server = await TokenServer.StartAsync();

    public async Task DisposeAsync()
    {
        _backchannel.Dispose();
        await _server.DisposeAsync();
    }

    private (TokenSession Session, HttpClient Api, InMemoryTokenStore Store) Client(string refreshToken, Action<TokenSessionOptions>? configure = null)
    {
        var options = new TokenSessionOptions { TokenEndpoint = _server.TokenEndpoint, ClientId = TokenServer.ClientId, MaxRetryDelay = TimeSpan.FromMilliseconds(50) };
        configure?.Invoke(options);
        var store = new InMemoryTokenStore(TokenSet.FromRefreshToken(refreshToken));
        var session = new TokenSession(options, store, _backchannel);
        var api = new HttpClient(new RotatingTokenHandler(session, new SocketsHttpHandler()));
        return (session, api, store);
    }

    private async Task AssertCurrentAsync(string? refreshToken)
    {
        RotationResult inspected = await _server.Engine.InspectAsync(refreshToken, TokenServer.ClientId);
        Assert.Equal(RotationOutcome.Rotated, inspected.Outcome);   // the client holds the family's current token
    }

    [Fact]
    public async Task Fifty_concurrent_callers_cause_exactly_one_refresh()
    {
        var (session, api, store) = Client(await _server.SignInAsync());
        using (api)
        using (session)
        {
            HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => api.GetAsync(_server.Api))));

            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            Assert.Equal(1, _server.TokenRequests);
            Assert.Equal(1, session.RefreshRequests);
            Assert.Equal([RotationOutcome.Rotated], _server.Outcomes);
            await AssertCurrentAsync(store.Tokens!.RefreshToken);
        }
    }

    [Fact]
    public async Task Fifty_concurrent_401s_cause_exactly_one_more_refresh()
    {
        var (session, api, store) = Client(await _server.SignInAsync());
        using (api)
        using (session)
        {
            (await api.GetAsync(_server.Api)).EnsureSuccessStatusCode();
            _server.ExpireAllAccessTokens();          // every access token the clients hold is now refused with 401

            HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => api.GetAsync(_server.Api))));

            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            Assert.Equal(2, _server.TokenRequests);
            Assert.Equal([RotationOutcome.Rotated, RotationOutcome.Rotated], _server.Outcomes);
            await AssertCurrentAsync(store.Tokens!.RefreshToken);
        }
    }

    [Fact]
    public async Task A_lost_response_is_retried_with_the_same_token_and_the_grace_replay_returns_the_new_one()
    {
        string first = await _server.SignInAsync();
        var (session, api, store) = Client(first);
        int signedOut = 0;
        session.SignedOut += (_, _) => signedOut++;
        _server.DropAfterRotate = 1;
        using (api)
        using (session)
        {
            (await api.GetAsync(_server.Api)).EnsureSuccessStatusCode();

            Assert.Equal([RotationOutcome.Rotated, RotationOutcome.GraceReplay], _server.Outcomes);
            Assert.Equal([first, first], _server.PresentedRefreshTokens);
            Assert.Equal(0, signedOut);
            await AssertCurrentAsync(store.Tokens!.RefreshToken);
            Assert.NotEqual(first, store.Tokens.RefreshToken);
        }
    }

    [Fact]
    public async Task A_503_is_retried_after_Retry_After_capped_with_the_same_token()
    {
        string first = await _server.SignInAsync();
        var (session, api, store) = Client(first);
        var retries = new List<RefreshRetryEventArgs>();
        session.RetryScheduled += (_, e) => retries.Add(e);
        _server.Unavailable = 2;
        using (api)
        using (session)
        {
            (await api.GetAsync(_server.Api)).EnsureSuccessStatusCode();

            Assert.Equal(3, _server.TokenRequests);
            Assert.Equal([RotationOutcome.Rotated], _server.Outcomes);
            Assert.Equal([1, 2], retries.Select(r => r.Attempt));
            Assert.All(retries, r => Assert.Equal(503, r.StatusCode));
            Assert.All(retries, r => Assert.Equal(TimeSpan.FromMilliseconds(50), r.Delay));   // Retry-After: 1, capped by MaxRetryDelay
            await AssertCurrentAsync(store.Tokens!.RefreshToken);
        }
    }

    [Fact]
    public async Task Retry_After_zero_is_honoured_and_a_missing_one_backs_off()
    {
        var (session, api, _) = Client(await _server.SignInAsync(), o => { o.InitialRetryDelay = TimeSpan.FromMilliseconds(10); o.MaxRetryDelay = TimeSpan.FromSeconds(1); });
        var delays = new List<TimeSpan>();
        session.RetryScheduled += (_, e) => delays.Add(e.Delay);
        using (api)
        using (session)
        {
            _server.RetryAfter = "0";
            _server.Unavailable = 1;
            (await api.GetAsync(_server.Api)).EnsureSuccessStatusCode();
            _server.RetryAfter = null;
            _server.Unavailable = 2;
            _server.ExpireAllAccessTokens();
            (await api.GetAsync(_server.Api)).EnsureSuccessStatusCode();

            Assert.Equal([TimeSpan.Zero, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(20)], delays);
        }
    }

    [Fact]
    public async Task A_server_that_stays_unavailable_fails_the_call_but_keeps_the_session()
    {
        string first = await _server.SignInAsync();
        var (session, api, store) = Client(first, o => o.MaxAttempts = 3);
        _server.Unavailable = int.MaxValue;
        using (api)
        using (session)
        {
            var failure = await Assert.ThrowsAsync<TokenRefreshException>(() => api.GetAsync(_server.Api));

            Assert.Equal(503, failure.StatusCode);
            Assert.Equal(3, _server.TokenRequests);
            Assert.Equal(first, store.Tokens!.RefreshToken);       // kept: the next call tries again

            _server.Unavailable = 0;
            (await api.GetAsync(_server.Api)).EnsureSuccessStatusCode();
            await AssertCurrentAsync(store.Tokens!.RefreshToken);
        }
    }

    [Fact]
    public async Task The_retry_budget_bounds_the_retries_below_the_grace_window()
    {
        var (session, api, _) = Client(await _server.SignInAsync(), o => { o.RetryBudget = TimeSpan.FromMilliseconds(40); o.MaxAttempts = 100; });
        _server.Unavailable = int.MaxValue;
        using (api)
        using (session)
        {
            await Assert.ThrowsAsync<TokenRefreshException>(() => api.GetAsync(_server.Api));

            Assert.Equal(1, _server.TokenRequests);              // the next attempt would start 50 ms later, past the 40 ms budget
        }
    }

    [Fact]
    public async Task Invalid_grant_signs_out_once_for_all_callers_and_never_loops()
    {
        string first = await _server.SignInAsync();
        var (session, api, store) = Client(first);
        var signedOut = new List<SignedOutEventArgs>();
        session.SignedOut += (_, e) => signedOut.Add(e);
        await _server.Engine.RevokeAsync(first, TokenServer.ClientId, RevocationReason.SignOut);
        using (api)
        using (session)
        {
            Task<HttpResponseMessage>[] calls = Enumerable.Range(0, 20).Select(_ => Task.Run(() => api.GetAsync(_server.Api))).ToArray();
            foreach (Task<HttpResponseMessage> call in calls)
            {
                await Assert.ThrowsAsync<SignedOutException>(() => call);
            }

            Assert.Equal(1, _server.TokenRequests);
            Assert.Equal("invalid_grant", Assert.Single(signedOut).Error);
            Assert.Null(store.Tokens);

            await Assert.ThrowsAsync<SignedOutException>(() => api.GetAsync(_server.Api));
            Assert.Equal(1, _server.TokenRequests);              // no loop, no new request
            Assert.Single(signedOut);
        }
    }

    [Fact]
    public async Task Invalid_client_is_not_retried_and_keeps_the_session()
    {
        string first = await _server.SignInAsync();
        var (session, api, store) = Client(first);
        _server.ForcedError = "invalid_client";
        using (api)
        using (session)
        {
            var failure = await Assert.ThrowsAsync<TokenRefreshException>(() => api.GetAsync(_server.Api));

            Assert.Equal("invalid_client", failure.Error);
            Assert.Equal(1, _server.TokenRequests);
            Assert.Equal(first, store.Tokens!.RefreshToken);
        }
    }

    [Fact]
    public async Task A_second_401_is_returned_not_looped()
    {
        var (session, api, _) = Client(await _server.SignInAsync());
        _server.RejectAll = true;
        using (api)
        using (session)
        {
            HttpResponseMessage response = await api.GetAsync(_server.Api);

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal(2, _server.TokenRequests);               // first token, then one refresh after the 401
            Assert.Equal(2, _server.ApiRequests.Count);
        }
    }

    [Fact]
    public async Task A_cancelled_caller_does_not_cancel_the_refresh_in_flight()
    {
        var (session, api, store) = Client(await _server.SignInAsync());
        _server.TokenDelay = TimeSpan.FromMilliseconds(300);
        using (api)
        using (session)
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => api.GetAsync(_server.Api, cancel.Token));
            _server.TokenDelay = TimeSpan.Zero;

            (await api.GetAsync(_server.Api)).EnsureSuccessStatusCode();  // joins or reuses the refresh the cancelled caller started

            Assert.Equal(1, _server.TokenRequests);
            await AssertCurrentAsync(store.Tokens!.RefreshToken);
        }
    }

    [Fact]
    public async Task The_token_is_refreshed_before_it_expires_without_waiting_for_a_401()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        _server.AccessTokenSeconds = 120;
        var (session, api, _) = Client(await _server.SignInAsync(), o => o.TimeProvider = time);
        using (api)
        using (session)
        {
            (await api.GetAsync(_server.Api)).EnsureSuccessStatusCode();
            time.Advance(TimeSpan.FromSeconds(80));
            (await api.GetAsync(_server.Api)).EnsureSuccessStatusCode();
            Assert.Equal(1, _server.TokenRequests);
            time.Advance(TimeSpan.FromSeconds(15));                 // 25 s left < RefreshBeforeExpiry (30 s)
            (await api.GetAsync(_server.Api)).EnsureSuccessStatusCode();

            Assert.Equal(2, _server.TokenRequests);
            Assert.Equal(3, _server.ApiRequests.Count);             // no 401 on the way
        }
    }

    [Fact]
    public async Task A_short_lived_access_token_is_not_refreshed_on_every_call()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        _server.AccessTokenSeconds = 20;                             // shorter than RefreshBeforeExpiry: refresh at half-life
        var (session, api, _) = Client(await _server.SignInAsync(), o => o.TimeProvider = time);
        using (api)
        using (session)
        {
            (await api.GetAsync(_server.Api)).EnsureSuccessStatusCode();
            (await api.GetAsync(_server.Api)).EnsureSuccessStatusCode();
            time.Advance(TimeSpan.FromSeconds(11));
            (await api.GetAsync(_server.Api)).EnsureSuccessStatusCode();

            Assert.Equal(2, _server.TokenRequests);
        }
    }

    [Fact]
    public async Task A_proof_provider_adds_a_fresh_DPoP_proof_to_every_request()
    {
        var proofs = new CountingProofs();
        var (session, api, _) = Client(await _server.SignInAsync(), o => o.ProofProvider = proofs);
        using (api)
        using (session)
        {
            (await api.GetAsync(_server.Api)).EnsureSuccessStatusCode();
            (await api.GetAsync(_server.Api)).EnsureSuccessStatusCode();

            Assert.Equal(["proof-1"], _server.TokenRequestProofs);
            Assert.Equal(["proof-2", "proof-3"], _server.ApiRequests.Select(r => r.Proof));
            Assert.All(_server.ApiRequests, r => Assert.StartsWith("DPoP ", r.Authorization, StringComparison.Ordinal));
            Assert.Equal([ProofRequestKind.TokenRefresh, ProofRequestKind.Api, ProofRequestKind.Api], proofs.Requests.Select(r => r.Kind));
            Assert.Null(proofs.Requests[0].AccessToken);
            Assert.NotNull(proofs.Requests[1].AccessToken);
            Assert.Equal(HttpMethod.Post, proofs.Requests[0].Method);
            Assert.Equal(_server.TokenEndpoint, proofs.Requests[0].Uri);
        }
    }

    [Fact]
    public async Task Sign_out_revokes_and_forgets()
    {
        string first = await _server.SignInAsync();
        var (session, api, store) = Client(first);
        using (api)
        using (session)
        {
            (await api.GetAsync(_server.Api)).EnsureSuccessStatusCode();
            string current = store.Tokens!.RefreshToken;
            await session.SignOutAsync();

            Assert.Null(store.Tokens);
            await Assert.ThrowsAsync<SignedOutException>(() => api.GetAsync(_server.Api));
            await AssertCurrentAsync(current);   // no revocation endpoint configured: the token stays valid at the server
        }
    }

    [Fact]
    public void Options_are_validated_and_tokens_never_printed()
    {
        using var http = new HttpClient();
        Assert.Throws<ArgumentException>(() => new TokenSession(new TokenSessionOptions { ClientId = "x" }, new InMemoryTokenStore(), http));
        Assert.Throws<ArgumentException>(() => new TokenSession(new TokenSessionOptions { TokenEndpoint = new Uri("https://a/token") }, new InMemoryTokenStore(), http));
        Assert.Throws<ArgumentException>(() => new TokenSession(new TokenSessionOptions { TokenEndpoint = new Uri("https://a/token"), ClientId = "x", MaxAttempts = 0 }, new InMemoryTokenStore(), http));
        Assert.Throws<ArgumentException>(() => new TokenSession(new TokenSessionOptions { TokenEndpoint = new Uri("https://a/token"), ClientId = "x", RetryBudget = TimeSpan.FromSeconds(-1) }, new InMemoryTokenStore(), http));

        var tokens = new TokenSet("access-secret", "Bearer", null, "refresh-secret", null);
        Assert.DoesNotContain("secret", tokens.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_saved_session_is_signed_out_without_a_request()
    {
        var options = new TokenSessionOptions { TokenEndpoint = _server.TokenEndpoint, ClientId = TokenServer.ClientId };
        using var session = new TokenSession(options, new InMemoryTokenStore(), _backchannel);
        using var api = new HttpClient(new RotatingTokenHandler(session, new SocketsHttpHandler()));

        await Assert.ThrowsAsync<SignedOutException>(() => api.GetAsync(_server.Api));
        Assert.Equal(0, _server.TokenRequests);
        Assert.Empty(_server.ApiRequests);
    }

    [Fact]
    public async Task Tokens_that_cannot_be_saved_are_kept_in_memory_and_the_caller_told()
    {
        string first = await _server.SignInAsync();
        var options = new TokenSessionOptions { TokenEndpoint = _server.TokenEndpoint, ClientId = TokenServer.ClientId };
        var store = new BrokenStore(TokenSet.FromRefreshToken(first));
        using var session = new TokenSession(options, store, _backchannel);
        using var api = new HttpClient(new RotatingTokenHandler(session, new SocketsHttpHandler()));

        var failure = await Assert.ThrowsAsync<TokenRefreshException>(() => api.GetAsync(_server.Api));
        Assert.IsType<IOException>(failure.InnerException);

        (await api.GetAsync(_server.Api)).EnsureSuccessStatusCode();      // the rotated tokens were kept in memory
        Assert.Equal(1, _server.TokenRequests);
        Assert.Equal([RotationOutcome.Rotated], _server.Outcomes);
    }

    private sealed class BrokenStore(TokenSet tokens) : ITokenStore
    {
        public ValueTask<TokenSet?> LoadAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<TokenSet?>(tokens);
        public ValueTask SaveAsync(TokenSet tokens, CancellationToken cancellationToken = default) => throw new IOException("disk full");
        public ValueTask ClearAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }

    private sealed class CountingProofs : IRequestProofProvider
    {
        private int _count;
        public List<ProofRequest> Requests { get; } = [];

        public ValueTask<string?> CreateProofAsync(ProofRequest request, CancellationToken cancellationToken)
        {
            lock (Requests)
            {
                Requests.Add(request);
            }

            return ValueTask.FromResult<string?>("proof-" + Interlocked.Increment(ref _count));
        }
    }
}
