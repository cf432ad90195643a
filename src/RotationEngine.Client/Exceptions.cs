namespace RotationEngine.Client;

/// <summary>
/// The session has ended: the server answered the refresh with <c>invalid_grant</c> (revoked, expired, reused, or
/// signed out elsewhere), or no tokens were saved. The user must sign in again; retrying cannot help.
/// </summary>
public sealed class SignedOutException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SignedOutException() : base("The session has ended: sign in again.") { }

    /// <summary>Creates the exception with a message.</summary>
    public SignedOutException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public SignedOutException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// A refresh failed without ending the session: the token endpoint stayed unavailable (network errors, 503) for the
/// whole retry budget, or refused the client itself (<c>invalid_client</c>, a misconfiguration). The saved refresh
/// token is kept; a later call tries again.
/// </summary>
public sealed class TokenRefreshException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TokenRefreshException() : base("The refresh failed.") { }

    /// <summary>Creates the exception with a message.</summary>
    public TokenRefreshException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public TokenRefreshException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>The OAuth error code the token endpoint answered (e.g. <c>invalid_client</c>), or <see langword="null"/> for a transport failure.</summary>
    public string? Error { get; init; }

    /// <summary>The HTTP status of the last answer, or <see langword="null"/> if none arrived.</summary>
    public int? StatusCode { get; init; }
}
