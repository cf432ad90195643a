using Microsoft.Extensions.Options;
using RotationEngine.AspNetCore;
using RotationEngine.AspNetCore.DPoP;

namespace AuthServer;

/// <summary>
/// The authorization server metadata (RFC 8414) at <c>/.well-known/oauth-authorization-server</c>: where the token,
/// revocation and key endpoints are, and which DPoP proof algorithms the token endpoint accepts
/// (<c>dpop_signing_alg_values_supported</c>, RFC 9449 §5.1), so that a client library picks one the server takes.
/// </summary>
/// <remarks>The endpoints' origin is <c>RotationEngine:DPoP:PublicOrigin</c> when set (as it should be behind a proxy,
/// where the request's Host is whatever the client sent), else the request's. <c>issuer</c> is
/// <c>AuthServer:Issuer</c>, the access tokens' <c>iss</c>: RFC 8414 §3.3 wants it equal to the origin the metadata
/// is read from, so set the two alike in a deployment.</remarks>
public static class ServerMetadata
{
    /// <summary>Where the document is served (RFC 8414 §3).</summary>
    public const string Path = "/.well-known/oauth-authorization-server";

    /// <summary>Where the access tokens' signing key is published (the metadata's <c>jwks_uri</c>).</summary>
    public const string JwksPath = "/.well-known/jwks.json";

    /// <summary>Maps <see cref="Path"/>.</summary>
    public static IEndpointConventionBuilder MapServerMetadata(this IEndpointRouteBuilder app) =>
        app.MapGet(Path, (HttpContext http, IOptions<SampleSettings> settings, IOptions<RotationEndpointOptions> endpoints, IOptions<DPoPOptions> dpop) =>
        {
            var origin = dpop.Value.PublicOrigin?.TrimEnd('/') ?? $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";
            string[] clientAuthentication = ["none", "client_secret_basic", "client_secret_post"];
            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = settings.Value.Issuer,
                ["token_endpoint"] = origin + endpoints.Value.TokenPath,
                ["revocation_endpoint"] = origin + endpoints.Value.RevocationPath,
                ["jwks_uri"] = origin + JwksPath,
                // The fake sign-in stands in for an authorization-code exchange; the only OAuth grant served is refresh.
                ["grant_types_supported"] = new[] { "refresh_token" },
                ["response_types_supported"] = Array.Empty<string>(),
                ["token_endpoint_auth_methods_supported"] = clientAuthentication,
                ["revocation_endpoint_auth_methods_supported"] = clientAuthentication,
                ["dpop_signing_alg_values_supported"] = dpop.Value.AcceptedAlgorithms,
            });
        }).WithDisplayName("Authorization server metadata");
}
