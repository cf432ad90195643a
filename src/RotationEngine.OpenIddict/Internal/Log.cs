using Microsoft.Extensions.Logging;

namespace RotationEngine.OpenIddict.Internal;

/// <summary>Every log entry of the OpenIddict integration, with stable event ids (3001–3099). No entry takes a token, a
/// secret or a claim value: only family ids, client ids, outcomes and causes.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, EventName = "RefreshRefused", Level = LogLevel.Information,
        Message = "Refresh token refused at the {Endpoint} endpoint: {Outcome} ({Cause}), family {FamilyId}, client {ClientId}")]
    public static partial void RefreshRefused(ILogger logger, string endpoint, RotationOutcome outcome, OutcomeCause cause, FamilyId? familyId, string? clientId);

    [LoggerMessage(EventId = 3002, EventName = "NotAnEngineToken", Level = LogLevel.Information,
        Message = "Refresh token refused: not a RotationEngine token ({Shape}, {Length} characters), client {ClientId}")]
    public static partial void NotAnEngineToken(ILogger logger, string shape, int length, string? clientId);

    [LoggerMessage(EventId = 3003, EventName = "AuthorizationRevokedWithFamily", Level = LogLevel.Warning,
        Message = "OpenIddict authorization {AuthorizationId} revoked with family {FamilyId} ({Reason})")]
    public static partial void AuthorizationRevoked(ILogger logger, string authorizationId, FamilyId? familyId, string reason);

    [LoggerMessage(EventId = 3004, EventName = "FamilyRevokedWithAuthorization", Level = LogLevel.Information,
        Message = "Family {FamilyId} revoked: its OpenIddict authorization {AuthorizationId} is no longer valid")]
    public static partial void FamilyRevokedWithAuthorization(ILogger logger, FamilyId? familyId, string authorizationId);

    [LoggerMessage(EventId = 3005, EventName = "UnreadableSnapshot", Level = LogLevel.Warning,
        Message = "Family {FamilyId} (client {ClientId}) holds no readable OpenIddict principal snapshot (issued by another host of the engine?): the refresh token is refused")]
    public static partial void UnreadableSnapshot(ILogger logger, FamilyId? familyId, string? clientId);

    [LoggerMessage(EventId = 3006, EventName = "SessionEndedByRebuilder", Level = LogLevel.Information,
        Message = "The principal rebuilder ended the session of family {FamilyId} (client {ClientId}): the family is revoked")]
    public static partial void SessionEndedByRebuilder(ILogger logger, FamilyId? familyId, string? clientId);

    [LoggerMessage(EventId = 3007, EventName = "StoreUnavailable", Level = LogLevel.Error,
        Message = "The refresh-token store failed during {Operation} at the {Endpoint} endpoint; answered 503 temporarily_unavailable (retryable)")]
    public static partial void StoreUnavailable(ILogger logger, Exception exception, string operation, string endpoint);

    [LoggerMessage(EventId = 3008, EventName = "AuthorizationRevocationFailed", Level = LogLevel.Warning,
        Message = "Could not revoke OpenIddict authorization {AuthorizationId} of family {FamilyId}")]
    public static partial void AuthorizationRevocationFailed(ILogger logger, Exception exception, string authorizationId, FamilyId? familyId);

    [LoggerMessage(EventId = 3009, EventName = "FamilyIssued", Level = LogLevel.Debug,
        Message = "Family {FamilyId} issued for client {ClientId} ({MetadataLength} characters of principal snapshot)")]
    public static partial void FamilyIssued(ILogger logger, FamilyId familyId, string clientId, int metadataLength);

    [LoggerMessage(EventId = 3010, EventName = "FamilyRevokedByClient", Level = LogLevel.Information,
        Message = "Revocation endpoint: family {FamilyId} of client {ClientId} revoked: {Revoked}")]
    public static partial void FamilyRevokedByClient(ILogger logger, FamilyId? familyId, string? clientId, bool revoked);
}
