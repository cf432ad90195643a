namespace RotationEngine.Client;

/// <summary>The session ended because the server refused its refresh token.</summary>
public sealed class SignedOutEventArgs : EventArgs
{
    internal SignedOutEventArgs(string error, string? errorDescription)
    {
        Error = error;
        ErrorDescription = errorDescription;
    }

    /// <summary>The OAuth error (<c>invalid_grant</c>), or <c>signed_out</c> after <see cref="TokenSession.SignOutAsync"/>.</summary>
    public string Error { get; }

    /// <summary>The server's <c>error_description</c>, if any.</summary>
    public string? ErrorDescription { get; }
}

/// <summary>A refresh attempt failed in a way that is safe to retry with the same refresh token, and will be retried.</summary>
public sealed class RefreshRetryEventArgs : EventArgs
{
    internal RefreshRetryEventArgs(int attempt, TimeSpan delay, int? statusCode, string reason)
    {
        Attempt = attempt;
        Delay = delay;
        StatusCode = statusCode;
        Reason = reason;
    }

    /// <summary>The attempt that failed (1 for the first).</summary>
    public int Attempt { get; }

    /// <summary>How long the session waits before the next attempt (the server's <c>Retry-After</c>, capped).</summary>
    public TimeSpan Delay { get; }

    /// <summary>The HTTP status of the failed attempt, or <see langword="null"/> after a network failure.</summary>
    public int? StatusCode { get; }

    /// <summary>Why it failed, for logs (never a token).</summary>
    public string Reason { get; }
}

/// <summary>A refresh succeeded and the new tokens were saved.</summary>
public sealed class TokensRefreshedEventArgs : EventArgs
{
    internal TokensRefreshedEventArgs(int attempts) => Attempts = attempts;

    /// <summary>How many attempts it took (1 when nothing failed).</summary>
    public int Attempts { get; }
}
