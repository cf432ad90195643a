using System.Security.Claims;
using OpenIddict.Abstractions;
using RotationEngine.OpenIddict.Internal;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace RotationEngine.OpenIddict.Tests;

/// <summary>The family metadata format: the sign-in principal as compact JSON.</summary>
public sealed class PrincipalSnapshotTests
{
    [Fact]
    public void A_principal_round_trips_with_claim_types_values_issuers_value_types_and_properties()
    {
        var identity = new ClaimsIdentity("sample", Claims.Name, Claims.Role);
        identity.AddClaim(new Claim(Claims.Subject, "user-1"));
        identity.AddClaim(new Claim(Claims.Name, "Zoë \"quoted\" <b>", ClaimValueTypes.String, "https://idp.example/", "https://upstream.example/"));
        var age = new Claim("age", "42", ClaimValueTypes.Integer32);
        age.Properties["custom"] = "kept";
        identity.AddClaim(age);
        identity.AddClaim(new Claim(Claims.Role, "a"));
        identity.AddClaim(new Claim(Claims.Role, "b"));
        var principal = new ClaimsPrincipal(identity).SetScopes("openid", "offline_access").SetResources("api").SetPresenters("spa").SetAuthorizationId("auth-1");
        principal.SetDestinations(static claim => claim.Type == Claims.Name ? [Destinations.AccessToken, Destinations.IdentityToken] : [Destinations.AccessToken]);
        principal.SetTokenId("token-1").SetTokenType(TokenTypeIdentifiers.RefreshToken).SetExpirationDate(TimeProvider.System.GetUtcNow());

        var restored = PrincipalSnapshot.TryRestore(PrincipalSnapshot.Capture(principal));

        Assert.NotNull(restored);
        var restoredIdentity = (ClaimsIdentity)restored.Identity!;
        Assert.Equal("sample", restoredIdentity.AuthenticationType);
        Assert.Equal(Claims.Name, restoredIdentity.NameClaimType);
        Assert.Equal(Claims.Role, restoredIdentity.RoleClaimType);
        Assert.True(restored.IsInRole("b"));
        var name = restored.FindFirst(Claims.Name)!;
        Assert.Equal("Zoë \"quoted\" <b>", name.Value);
        Assert.Equal("https://idp.example/", name.Issuer);
        Assert.Equal("https://upstream.example/", name.OriginalIssuer);
        Assert.Equal([Destinations.AccessToken, Destinations.IdentityToken], name.GetDestinations().ToArray());
        Assert.Equal(ClaimValueTypes.Integer32, restored.FindFirst("age")!.ValueType);
        Assert.Equal("kept", restored.FindFirst("age")!.Properties["custom"]);
        Assert.Equal([Destinations.AccessToken], restored.FindFirst("age")!.GetDestinations().ToArray());
        Assert.Equal(["openid", "offline_access"], restored.GetScopes().ToArray());
        Assert.Equal("auth-1", restored.GetAuthorizationId());
        Assert.Null(restored.GetTokenId());
        Assert.Null(restored.GetTokenType());
        Assert.Null(restored.GetExpirationDate());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("scopes=openid")]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("{\"oidc\":\"1\",\"c\":[]}")]
    [InlineData("{\"oidc\":1}")]
    [InlineData("{\"oidc\":1,\"c\":{}}")]
    [InlineData("{\"oidc\":1,\"c\":[1]}")]
    [InlineData("{\"oidc\":1,\"c\":[{\"v\":\"x\"}]}")]
    [InlineData("{\"oidc\":1,\"c\":[{\"t\":\"\",\"v\":\"x\"}]}")]
    [InlineData("{\"oidc\":1,\"c\":[{\"t\":\"a\"}]}")]
    [InlineData("{\"oidc\":1,\"c\":[{\"t\":\"a\",\"v\":\"x\",\"p\":{\"k\":1}}]}")]
    [InlineData("{\"oidc\":1,\"c\":[{\"t\":\"a\",\"v\":\"x\",\"d\":\"access_token\"}]}")]
    [InlineData("{\"oidc\":1,\"c\":[{\"t\":\"a\",\"v\":\"x\",\"d\":[\"\"]}]}")]
    [InlineData("{\"oidc\":1,\"c\":[{\"t\":\"a\",\"v\":\"x\"}]")]
    [InlineData("{\"oidc\":1e400,\"c\":[]}")]
    [InlineData("{\"oidc\":1,\"c\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}")]
    public void Ill_formed_metadata_restores_nothing_and_never_throws(string? metadata) =>
        Assert.Null(PrincipalSnapshot.TryRestore(metadata));

    [Fact]
    public void A_principal_too_large_for_a_family_is_refused_with_a_message()
    {
        var identity = new ClaimsIdentity("sample");
        identity.AddClaim(new Claim(Claims.Subject, "user-1"));
        identity.AddClaim(new Claim("blob", new string('x', RefreshTokenEngine.MaxMetadataLength)));

        var error = Assert.Throws<InvalidOperationException>(() => PrincipalSnapshot.Capture(new ClaimsPrincipal(identity)));

        Assert.Contains("at most 16,384", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("xxxx", error.Message, StringComparison.Ordinal);
    }
}
