using Microsoft.Extensions.Logging;
using RotationEngine.Events;

namespace RotationEngine.Internal;

/// <summary>Every log entry of the engine, with stable event ids. No entry takes a token or a secret.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1001, EventName = "GraceReplay", Level = LogLevel.Information,
        Message = "Grace replay: family {FamilyId} (subject {Subject}, client {ClientId}) generation {Generation}, token {GenerationsBehind} behind, {SinceRetirementMs} ms after retirement")]
    public static partial void GraceReplay(ILogger logger, FamilyId? familyId, string? subject, string? clientId, int? generation, int? generationsBehind, double? sinceRetirementMs);

    [LoggerMessage(EventId = 1002, EventName = "ReuseDetected", Level = LogLevel.Warning,
        Message = "Refresh token reuse detected ({Cause}): family {FamilyId} (subject {Subject}, client {ClientId}) revoked at generation {Generation}; token {GenerationsBehind} behind, {SinceRetirementMs} ms after retirement")]
    public static partial void ReuseDetected(ILogger logger, OutcomeCause cause, FamilyId? familyId, string? subject, string? clientId, int? generation, int? generationsBehind, double? sinceRetirementMs);

    [LoggerMessage(EventId = 1003, EventName = "RevokedFamilyPresented", Level = LogLevel.Information,
        Message = "Token of revoked family {FamilyId} (subject {Subject}, client {ClientId}, reason {RevocationReason}) presented, {GenerationsBehind} behind")]
    public static partial void Revoked(ILogger logger, FamilyId? familyId, string? subject, string? clientId, RevocationReason? revocationReason, int? generationsBehind);

    [LoggerMessage(EventId = 1004, EventName = "Expired", Level = LogLevel.Debug,
        Message = "Token of family {FamilyId} (subject {Subject}, client {ClientId}) expired: {Cause}")]
    public static partial void Expired(ILogger logger, FamilyId? familyId, string? subject, string? clientId, OutcomeCause cause);

    [LoggerMessage(EventId = 1005, EventName = "BindingMismatch", Level = LogLevel.Warning,
        Message = "Binding mismatch: family {FamilyId} (subject {Subject}, client {ClientId}) generation {Generation}; family revoked: {Revoked}")]
    public static partial void BindingMismatch(ILogger logger, FamilyId? familyId, string? subject, string? clientId, int? generation, bool revoked);

    [LoggerMessage(EventId = 1006, EventName = "Invalid", Level = LogLevel.Debug,
        Message = "Invalid refresh token: {Cause} (family {FamilyId})")]
    public static partial void Invalid(ILogger logger, OutcomeCause cause, FamilyId? familyId);

    [LoggerMessage(EventId = 1007, EventName = "FamilyRevoked", Level = LogLevel.Information,
        Message = "Revoked {Count} famil(ies) (family {FamilyId}, subject {Subject}): {RevocationReason}")]
    public static partial void FamilyRevoked(ILogger logger, int? count, FamilyId? familyId, string? subject, RevocationReason? revocationReason);

    [LoggerMessage(EventId = 1008, EventName = "SuspiciousToken", Level = LogLevel.Warning,
        Message = "Possible attack, refresh token refused as Invalid: {Cause} (family {FamilyId}, subject {Subject}, client {ClientId})")]
    public static partial void Suspicious(ILogger logger, OutcomeCause cause, FamilyId? familyId, string? subject, string? clientId);

    [LoggerMessage(EventId = 2001, EventName = "EphemeralKey", Level = LogLevel.Warning,
        Message = "No server keys are configured: using the ephemeral key {KeyId}. Refresh tokens will not survive a restart and no other instance accepts them. Configure RotationEngineOptions.Keys or register an IKeyRing.")]
    public static partial void EphemeralKey(ILogger logger, string keyId);

    [LoggerMessage(EventId = 2002, EventName = "ObserverFailed", Level = LogLevel.Error,
        Message = "A rotation event observer ({Observer}) threw while handling a {Kind} event")]
    public static partial void ObserverFailed(ILogger logger, Exception exception, string observer, RotationEventKind kind);

    [LoggerMessage(EventId = 2003, EventName = "StoreFault", Level = LogLevel.Error,
        Message = "The family store failed during {Operation}; the outcome is unknown")]
    public static partial void StoreFault(ILogger logger, Exception exception, string operation);

    [LoggerMessage(EventId = 2004, EventName = "Pruned", Level = LogLevel.Information,
        Message = "Pruned {Count} families revoked or expired before {Cutoff}")]
    public static partial void Pruned(ILogger logger, int count, DateTimeOffset cutoff);

    [LoggerMessage(EventId = 2005, EventName = "WarningsSuppressed", Level = LogLevel.Warning,
        Message = "{Count} more warnings with event id {EventId} were held back in the last minute (at most 20 a minute are logged)")]
    public static partial void WarningsSuppressed(ILogger logger, int count, int eventId);
}
