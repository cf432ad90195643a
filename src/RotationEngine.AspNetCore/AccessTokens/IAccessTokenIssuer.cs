namespace RotationEngine.AspNetCore.AccessTokens;

/// <summary>The host's half of a refresh: mints the access token for a family that has just rotated (or replayed
/// within grace). The refresh token is the engine's; the access token, its format, lifetime and scope are yours.</summary>
public interface IAccessTokenIssuer
{
    /// <summary>Mints the access token. Called after a successful rotation, never for a refused one. An exception
    /// here answers 500; the client can retry with the same refresh token within the grace rule.</summary>
    /// <param name="request">The family's subject, client, metadata and the scope the client asked for.</param>
    /// <param name="cancellationToken">Not the request's abort token: the rotation already happened.</param>
    ValueTask<AccessTokenResult> IssueAsync(AccessTokenRequest request, CancellationToken cancellationToken = default);
}
