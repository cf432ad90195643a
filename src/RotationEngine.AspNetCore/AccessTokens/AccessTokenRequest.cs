using Microsoft.AspNetCore.Http;

namespace RotationEngine.AspNetCore.AccessTokens;

/// <summary>What <see cref="IAccessTokenIssuer"/> gets: the rotated family and the request.</summary>
public sealed class AccessTokenRequest
{
    /// <summary>The family's subject (user).</summary>
    public required string Subject { get; init; }

    /// <summary>The authenticated client (the family's client).</summary>
    public required string ClientId { get; init; }

    /// <summary>The family.</summary>
    public required FamilyId FamilyId { get; init; }

    /// <summary>The host's metadata given at issue (for example the granted scopes).</summary>
    public string? Metadata { get; init; }

    /// <summary>The <c>scope</c> parameter of the request (RFC 6749 §6: it may narrow, never widen, the original
    /// grant), syntax-checked (§3.3), or null when the client sent none.</summary>
    public string? RequestedScope { get; init; }

    /// <summary>The binding the request proved (for example a DPoP key thumbprint), if any.</summary>
    public string? Binding { get; init; }

    /// <summary>Whether the engine answered a grace replay (the same refresh token as an earlier answer) rather than a new rotation.</summary>
    public bool IsGraceReplay { get; init; }

    /// <summary>The HTTP request.</summary>
    public required HttpContext HttpContext { get; init; }
}
