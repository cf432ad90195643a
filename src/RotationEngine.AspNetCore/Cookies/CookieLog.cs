using Microsoft.Extensions.Logging;

namespace RotationEngine.AspNetCore.Cookies;

/// <summary>Cookie mode's log entries (event ids 3101-3199). No entry takes a token.</summary>
internal static partial class CookieLog
{
    [LoggerMessage(EventId = 3101, EventName = "CookieCrossSiteRefused", Level = LogLevel.Information,
        Message = "{Endpoint} refused a request that failed the CSRF check: {Reason}")]
    public static partial void CrossSiteRefused(ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventId = 3102, EventName = "StaleReplayCookieWithheld", Level = LogLevel.Debug,
        Message = "Grace replay for family {FamilyId}: a rotation overtook the answer ({Outcome} now), so no Set-Cookie is sent")]
    public static partial void StaleReplayCookieWithheld(ILogger logger, FamilyId? familyId, RotationOutcome outcome);
}
