using Duende.IdentityModel.Client;
using RotationEngine.AspNetCore.DPoP;
using RotationEngine.AspNetCore.Tests.Infrastructure;
using static RotationEngine.DPoP.Tests.DPoPRefreshTests;

namespace RotationEngine.DPoP.Tests;

/// <summary>
/// The sample's authorization server metadata (RFC 8414), read with Duende.IdentityModel's discovery client, lists
/// the proof algorithms the token endpoint really accepts (RFC 9449 §5.1) and endpoints a client can use as they are.
/// </summary>
public sealed class MetadataTests
{
    private static async Task<DiscoveryDocumentResponse> DiscoverAsync(AuthServerHost host) =>
        await host.Http.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest
        {
            Address = host.Http.BaseAddress!.AbsoluteUri,
            Policy = new DiscoveryPolicy { DiscoveryDocumentPath = ".well-known/oauth-authorization-server", RequireHttps = false },
        });

    /// <summary>The issuer set to the origin the metadata is read from, as RFC 8414 §3.3 asks (the discovery client
    /// checks it).</summary>
    private static Dictionary<string, string?> Settings(params string[] algorithms)
    {
        var settings = new Dictionary<string, string?> { ["AuthServer:Issuer"] = "http://localhost" };
        for (var i = 0; i < algorithms.Length; i++)
        {
            settings[$"RotationEngine:DPoP:Algorithms:{i}"] = algorithms[i];
        }

        return settings;
    }

    [Fact]
    public async Task By_default_the_metadata_lists_the_default_algorithms_and_the_endpoints()
    {
        await using var host = await AuthServerHost.StartAsync(Transport.TestServer, Settings());

        var discovery = await DiscoverAsync(host);

        Assert.False(discovery.IsError, discovery.Error);
        Assert.Equal(DPoPOptions.DefaultAlgorithms, discovery.DPoPSigningAlgorithmsSupported);
        Assert.Equal("http://localhost", discovery.Issuer);
        Assert.Equal(Url(host, "oauth/token"), discovery.TokenEndpoint);
        Assert.Equal(Url(host, "oauth/revoke"), discovery.RevocationEndpoint);
        Assert.Equal(["refresh_token"], discovery.GrantTypesSupported);
        Assert.Equal(["none", "client_secret_basic", "client_secret_post"], discovery.TokenEndpointAuthenticationMethodsSupported);
        Assert.NotNull(discovery.KeySet);
        Assert.NotEmpty(discovery.KeySet!.Keys);
    }

    [Fact]
    public async Task Configured_algorithms_are_listed_and_are_exactly_the_ones_the_token_endpoint_takes()
    {
        await using var host = await AuthServerHost.StartAsync(Transport.TestServer, Settings("ES256", "PS256"));
        var discovery = await DiscoverAsync(host);
        Assert.False(discovery.IsError, discovery.Error);
        Assert.Equal(["ES256", "PS256"], discovery.DPoPSigningAlgorithmsSupported);

        // A client following the metadata: a listed algorithm rotates at the advertised token endpoint...
        using var listed = ProofMaker.Ps256();
        var token = await BoundSignInAsync(host, listed);
        var rotated = await RefreshAsync(host, token, listed.Proof(discovery.TokenEndpoint!, host.Time.GetUtcNow()));
        Assert.False(rotated.IsError, rotated.Error);
        Assert.Equal("DPoP", rotated.TokenType);

        // ...and one left out is refused there, with nothing changed.
        using var unlisted = ProofMaker.Rs256();
        var refused = await RefreshAsync(host, rotated.RefreshToken!, unlisted.Proof(discovery.TokenEndpoint!, host.Time.GetUtcNow()));
        Assert.Equal("invalid_dpop_proof", refused.Error);
        Assert.Equal(1, (await host.FamilyOfAsync(rotated.RefreshToken!)).Generation);
    }

    [Fact]
    public async Task Behind_a_proxy_the_endpoints_are_on_the_public_origin_not_the_requests_host()
    {
        var settings = Settings();
        settings["RotationEngine:DPoP:PublicOrigin"] = "https://auth.example.com/";
        await using var host = await AuthServerHost.StartAsync(Transport.TestServer, settings);
        using var request = new HttpRequestMessage(HttpMethod.Get, ".well-known/oauth-authorization-server");
        request.Headers.Host = "evil.example";

        using var response = await host.Http.SendAsync(request);
        var document = await response.Content.ReadAsStringAsync();

        Assert.Contains("\"token_endpoint\":\"https://auth.example.com/oauth/token\"", document, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", document, StringComparison.Ordinal);
    }
}
