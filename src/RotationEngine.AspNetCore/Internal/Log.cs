using Microsoft.Extensions.Logging;

namespace RotationEngine.AspNetCore.Internal;

/// <summary>Every log entry of the ASP.NET Core package, with stable event ids (3001-3099). None takes a token or a secret.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, EventName = "ClientAuthenticationFailed", Level = LogLevel.Information,
        Message = "Client authentication failed ({Reason}, by {Method})")]
    public static partial void ClientAuthenticationFailed(ILogger logger, string reason, string method);

    [LoggerMessage(EventId = 3002, EventName = "RefreshRefused", Level = LogLevel.Debug,
        Message = "Refresh grant for client {ClientId} refused: {Outcome} ({Cause})")]
    public static partial void RefreshRefused(ILogger logger, string clientId, RotationOutcome outcome, OutcomeCause cause);

    [LoggerMessage(EventId = 3003, EventName = "StoreUnavailable", Level = LogLevel.Warning,
        Message = "Token store fault during {Operation}; answered 503 with Retry-After")]
    public static partial void StoreUnavailable(ILogger logger, string operation, Exception exception);

    [LoggerMessage(EventId = 3004, EventName = "EndpointFailed", Level = LogLevel.Error,
        Message = "The {Endpoint} endpoint failed; answered 500 server_error")]
    public static partial void EndpointFailed(ILogger logger, string endpoint, Exception exception);

    [LoggerMessage(EventId = 3005, EventName = "BadRequest", Level = LogLevel.Debug,
        Message = "{Endpoint} request refused: {Error} ({Description})")]
    public static partial void BadRequest(ILogger logger, string endpoint, string error, string? description);

    [LoggerMessage(EventId = 3006, EventName = "PruneFailed", Level = LogLevel.Warning,
        Message = "Periodic prune failed; retrying at the next interval")]
    public static partial void PruneFailed(ILogger logger, Exception exception);
}
