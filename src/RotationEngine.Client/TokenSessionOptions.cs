using Duende.IdentityModel.Client;

namespace RotationEngine.Client;

/// <summary>How a <see cref="TokenSession"/> refreshes: the token endpoint, the client's credentials and the retry rules.</summary>
public sealed class TokenSessionOptions
{
    /// <summary>The authorization server's token endpoint (the refresh grant, RFC 6749 §6). Required.</summary>
    public Uri? TokenEndpoint { get; set; }

    /// <summary>The RFC 7009 revocation endpoint, used by <see cref="TokenSession.SignOutAsync"/>; none by default.</summary>
    public Uri? RevocationEndpoint { get; set; }

    /// <summary>The client id. Required.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The client secret of a confidential client; <see langword="null"/> for a public (native) client.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>
    /// How credentials are sent. <see langword="null"/> (the default) sends a public client's id in the body and a
    /// confidential client's credentials as <c>Authorization: Basic</c> (RFC 6749 §2.3.1).
    /// </summary>
    public ClientCredentialStyle? CredentialStyle { get; set; }

    /// <summary>A narrower scope to ask for at refresh (RFC 6749 §6); <see langword="null"/> keeps the granted one.</summary>
    public string? Scope { get; set; }

    /// <summary>
    /// Refresh this long before the access token's expiry (at most half its lifetime, so a short-lived token is not
    /// refreshed on every call). Default 30 seconds.
    /// </summary>
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest time spent retrying one refresh with the same refresh token after network failures and retryable
    /// answers (408, 429, 500, 502, 503, 504), counted from the first attempt. Keep it below the server's grace window
    /// (RotationEngine's default <c>GraceWindow</c> is 10 s): if a lost attempt did rotate, only a retry inside the
    /// window gets the new token back; one after it is reuse and revokes the session. Default 8 seconds.
    /// </summary>
    public TimeSpan RetryBudget { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>The most attempts of one refresh, the first included. Default 5.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The delay before the first retry when the server gave no <c>Retry-After</c>; doubles per retry. Default 200 ms.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest delay between two attempts, whatever <c>Retry-After</c> asks. Default 2 seconds.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The clock for expiries and retry delays. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Proof-of-possession for every request (DPoP, RFC 9449); none by default.</summary>
    public IRequestProofProvider? ProofProvider { get; set; }

    internal void Validate()
    {
        if (TokenEndpoint is null || !TokenEndpoint.IsAbsoluteUri)
        {
            throw new ArgumentException($"{nameof(TokenSessionOptions)}.{nameof(TokenEndpoint)} must be an absolute URI.", "options");
        }

        if (RevocationEndpoint is { IsAbsoluteUri: false })
        {
            throw new ArgumentException($"{nameof(TokenSessionOptions)}.{nameof(RevocationEndpoint)} must be an absolute URI.", "options");
        }

        if (string.IsNullOrEmpty(ClientId))
        {
            throw new ArgumentException($"{nameof(TokenSessionOptions)}.{nameof(ClientId)} is required.", "options");
        }

        if (MaxAttempts is < 1 or > 100)
        {
            throw new ArgumentException($"{nameof(TokenSessionOptions)}.{nameof(MaxAttempts)} must be between 1 and 100 (was {MaxAttempts}).", "options");
        }

        foreach ((string name, TimeSpan value) in new[]
                 {
                     (nameof(RefreshBeforeExpiry), RefreshBeforeExpiry), (nameof(RetryBudget), RetryBudget),
                     (nameof(InitialRetryDelay), InitialRetryDelay), (nameof(MaxRetryDelay), MaxRetryDelay),
                 })
        {
            if (value < TimeSpan.Zero || value > TimeSpan.FromHours(1))
            {
                throw new ArgumentException($"{nameof(TokenSessionOptions)}.{name} must be between 0 and 1 hour (was {value}).", "options");
            }
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, "options." + nameof(TimeProvider));
    }
}
