using System.Collections.Immutable;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace RotationEngine.OpenIddict.Handlers;

/// <summary>The event handlers <c>UseRotationEngine</c> registers with OpenIddict's server, and the built-in handlers
/// they stand in for.</summary>
public static class RotationEngineServerHandlers
{
    /// <summary>Every handler of the integration, in pipeline order.</summary>
    public static ImmutableArray<global::OpenIddict.Server.OpenIddictServerHandlerDescriptor> DefaultHandlers { get; } =
    [
        ValidateEngineRefreshToken.Descriptor,
        ValidateReferenceTokenUnlessValidated.Descriptor,
        RotateEngineRefreshToken.Descriptor,
        GenerateEngineRefreshToken.Descriptor,
        RevokeEngineRefreshToken.Descriptor,
        RevokeTokenUnlessEngineToken.Descriptor,
        AttachRetryAfter<ApplyTokenResponseContext>.Descriptor,
        AttachRetryAfter<ApplyIntrospectionResponseContext>.Descriptor,
        AttachRetryAfter<ApplyRevocationResponseContext>.Descriptor,
    ];

    /// <summary>OpenIddict's handlers that the integration replaces by a filtered wrapper of the same handler.</summary>
    public static ImmutableArray<global::OpenIddict.Server.OpenIddictServerHandlerDescriptor> ReplacedHandlers { get; } =
    [
        global::OpenIddict.Server.OpenIddictServerHandlers.Protection.ValidateReferenceTokenIdentifier.Descriptor,
        global::OpenIddict.Server.OpenIddictServerHandlers.Revocation.RevokeToken.Descriptor,
    ];
}
