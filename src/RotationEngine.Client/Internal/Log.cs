using Microsoft.Extensions.Logging;

namespace RotationEngine.Client.Internal;

/// <summary>Every log entry of the client, with stable event ids. No entry takes a token.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4001, EventName = "Refreshed", Level = LogLevel.Debug,
        Message = "Tokens refreshed for client {ClientId} after {Attempts} attempt(s)")]
    public static partial void Refreshed(ILogger logger, string clientId, int attempts);

    [LoggerMessage(EventId = 4002, EventName = "RefreshRetry", Level = LogLevel.Information,
        Message = "Refresh attempt {Attempt} for client {ClientId} failed ({Reason}, status {StatusCode}); retrying with the same refresh token in {DelayMs} ms")]
    public static partial void RefreshRetry(ILogger logger, int attempt, string clientId, string reason, int? statusCode, double delayMs);

    [LoggerMessage(EventId = 4003, EventName = "SignedOut", Level = LogLevel.Warning,
        Message = "The token endpoint refused the refresh token of client {ClientId} ({Error}): the session has ended")]
    public static partial void SignedOut(ILogger logger, string clientId, string error);

    [LoggerMessage(EventId = 4004, EventName = "RefreshFailed", Level = LogLevel.Warning,
        Message = "Refresh for client {ClientId} failed after {Attempts} attempt(s) ({Reason}, status {StatusCode}); the refresh token is kept")]
    public static partial void RefreshFailed(ILogger logger, string clientId, int attempts, string reason, int? statusCode);

    [LoggerMessage(EventId = 4005, EventName = "SaveFailed", Level = LogLevel.Error,
        Message = "Refreshed tokens of client {ClientId} could not be saved; they are kept in memory only")]
    public static partial void SaveFailed(ILogger logger, string clientId, Exception exception);

    [LoggerMessage(EventId = 4006, EventName = "RevocationFailed", Level = LogLevel.Information,
        Message = "Revoking the refresh token of client {ClientId} at sign-out failed ({Reason}); the tokens are forgotten anyway")]
    public static partial void RevocationFailed(ILogger logger, string clientId, string reason);
}
