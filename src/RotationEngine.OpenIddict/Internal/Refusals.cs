using Microsoft.Extensions.Logging;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;
using RotationEngine.Storage;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace RotationEngine.OpenIddict.Internal;

/// <summary>How the integration says no: the OAuth error and a description per outcome (never a token, never the
/// finer cause), and the retryable answer to a store fault.</summary>
internal static class Refusals
{
    public const string LegacyDescription =
        "The refresh token was issued before this server moved its refresh tokens to RotationEngine; sign in again.";

    public const string InvalidDescription = "The specified refresh token is invalid.";

    public const string AuthorizationDescription = "The authorization associated with the refresh token is no longer valid.";

    public const string SessionEndedDescription = "The session of this refresh token has ended; sign in again.";

    public const string UnavailableDescription = "The refresh-token store is temporarily unavailable; retry the request with the same refresh token.";

    /// <summary>The error of a refused refresh token: <c>invalid_grant</c> at the token endpoint, <c>invalid_token</c>
    /// elsewhere (which the introspection and revocation endpoints turn into an inactive token and an empty 200).</summary>
    public static string ErrorFor(OpenIddictServerEndpointType endpoint) =>
        endpoint == OpenIddictServerEndpointType.Token ? Errors.InvalidGrant : Errors.InvalidToken;

    /// <summary>A description a client may see for a refused outcome.</summary>
    public static string DescriptionFor(RotationOutcome outcome) => outcome switch
    {
        RotationOutcome.ReuseDetected => "The refresh token has already been used; its session has been revoked.",
        RotationOutcome.Revoked => "The refresh token has been revoked.",
        RotationOutcome.Expired => "The refresh token has expired.",
        RotationOutcome.BindingMismatch => "The refresh token is bound to another key.",
        _ => InvalidDescription,
    };

    /// <summary>Answers a store fault: <c>temporarily_unavailable</c>, which the integration sends as 503 with
    /// <c>Retry-After</c> (never <c>invalid_grant</c>: the outcome is unknown and a retry with the same token is safe
    /// within the grace rule).</summary>
    public static void StoreUnavailable(BaseValidatingContext context, ILogger logger, RotationStoreException exception, string operation)
    {
        Log.StoreUnavailable(logger, exception, operation, context.EndpointType.ToString());
        context.Transaction.MarkStoreUnavailable();
        context.Reject(Errors.TemporarilyUnavailable, UnavailableDescription);
    }
}
