using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Duende.IdentityModel.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using RotationEngine.AspNetCore.Tests.Infrastructure;

namespace RotationEngine.DPoP.Tests;

/// <summary>DPoP-bound refresh tokens through the sample server with Duende.IdentityModel sending real proofs.</summary>
public sealed class DPoPRefreshTests
{
    private const string Native = "native-dpop"; // RequireBinding in the sample's appsettings.json

    internal static string Url(AuthServerHost host, string path) => new Uri(host.Http.BaseAddress!, path).AbsoluteUri;

    internal static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> SignInAsync(AuthServerHost host, string? proof, string clientId = AuthServerHost.Spa, string user = "alice")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = user, ["client_id"] = clientId }),
        };
        if (proof is not null)
        {
            request.Headers.TryAddWithoutValidation("DPoP", proof);
        }

        var response = await host.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(), response);
    }

    internal static async Task<string> BoundSignInAsync(AuthServerHost host, ProofMaker key, string clientId = AuthServerHost.Spa)
    {
        var (status, body, _) = await SignInAsync(host, key.Proof(Url(host, "signin"), host.Time.GetUtcNow()), clientId);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("DPoP", body.GetProperty("token_type").GetString());
        return body.GetProperty("refresh_token").GetString()!;
    }

    internal static Task<TokenResponse> RefreshAsync(AuthServerHost host, string refreshToken, string? proof, string clientId = AuthServerHost.Spa) =>
        host.Http.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = "oauth/token",
            ClientId = clientId,
            RefreshToken = refreshToken,
            DPoPProofToken = proof!,
        });

    [Theory]
    [InlineData("ES256")]
    [InlineData("ES384")]
    [InlineData("RS256")]
    [InlineData("PS256")]
    public async Task Valid_proofs_bind_the_family_and_rotate(string alg)
    {
        await using var host = await AuthServerHost.StartAsync(Transport.TestServer);
        using var key = alg switch { "ES256" => ProofMaker.Es256(), "ES384" => ProofMaker.Es384(), "RS256" => ProofMaker.Rs256(), _ => ProofMaker.Ps256() };
        var token = await BoundSignInAsync(host, key);
        Assert.Equal(key.Thumbprint(), (await host.FamilyOfAsync(token)).Binding);

        for (var i = 0; i < 3; i++)
        {
            var response = await RefreshAsync(host, token, key.Proof(Url(host, "oauth/token"), host.Time.GetUtcNow()));
            Assert.False(response.IsError, response.Error);
            Assert.Equal("DPoP", response.TokenType);
            var accessToken = new JsonWebToken(response.AccessToken);
            Assert.Contains(key.Thumbprint(), accessToken.GetClaim("cnf").Value, StringComparison.Ordinal);
            token = response.RefreshToken!;
        }

        Assert.Equal(3, (await host.FamilyOfAsync(token)).Generation);
    }

    [Fact]
    public async Task Unbound_family_still_refreshes_as_bearer_without_a_proof()
    {
        await using var host = await AuthServerHost.StartAsync(Transport.TestServer);
        var token = await host.SignInTokenAsync();
        var response = await RefreshAsync(host, token, null);
        Assert.False(response.IsError, response.Error);
        Assert.Equal("Bearer", response.TokenType);
    }

    [Fact]
    public async Task Another_keys_proof_is_binding_mismatch_and_revokes_the_family()
    {
        await using var host = await AuthServerHost.StartAsync(Transport.TestServer);
        using var key = ProofMaker.Es256();
        using var thief = ProofMaker.Es256();
        var token = await BoundSignInAsync(host, key);

        var stolen = await RefreshAsync(host, token, thief.Proof(Url(host, "oauth/token"), host.Time.GetUtcNow()));
        Assert.Equal("invalid_grant", stolen.Error);
        var family = await host.FamilyOfAsync(token);
        Assert.Equal(FamilyStatus.Revoked, family.Status);
        Assert.Equal(RevocationReason.BindingMismatch, family.RevocationReason);

        // The owner's next refresh is refused too: the family is gone.
        var owner = await RefreshAsync(host, token, key.Proof(Url(host, "oauth/token"), host.Time.GetUtcNow()));
        Assert.Equal("invalid_grant", owner.Error);
    }

    [Fact]
    public async Task A_bound_token_without_any_proof_is_binding_mismatch()
    {
        await using var host = await AuthServerHost.StartAsync(Transport.TestServer);
        using var key = ProofMaker.Es256();
        var token = await BoundSignInAsync(host, key);
        var response = await RefreshAsync(host, token, null);
        Assert.Equal("invalid_grant", response.Error);
        Assert.Equal(RevocationReason.BindingMismatch, (await host.FamilyOfAsync(token)).RevocationReason);
    }

    [Fact]
    public async Task Mismatch_without_revocation_when_the_policy_says_so()
    {
        await using var host = await AuthServerHost.StartAsync(Transport.TestServer, new Dictionary<string, string?>
        {
            ["RotationEngine:ClientPolicies:other-app:BindingMismatchRevokes"] = "false",
        });
        using var key = ProofMaker.Es256();
        using var thief = ProofMaker.Es256();
        var token = await BoundSignInAsync(host, key, AuthServerHost.Other);
        var stolen = await RefreshAsync(host, token, thief.Proof(Url(host, "oauth/token"), host.Time.GetUtcNow()), AuthServerHost.Other);
        Assert.Equal("invalid_grant", stolen.Error);
        Assert.Equal(FamilyStatus.Active, (await host.FamilyOfAsync(token)).Status);
        var owner = await RefreshAsync(host, token, key.Proof(Url(host, "oauth/token"), host.Time.GetUtcNow()), AuthServerHost.Other);
        Assert.False(owner.IsError, owner.Error);
    }

    [Fact]
    public async Task A_replayed_proof_is_refused_and_changes_nothing()
    {
        await using var host = await AuthServerHost.StartAsync(Transport.TestServer);
        using var key = ProofMaker.Es256();
        var token = await BoundSignInAsync(host, key);
        var proof = key.Proof(Url(host, "oauth/token"), host.Time.GetUtcNow());
        var first = await RefreshAsync(host, token, proof);
        Assert.False(first.IsError, first.Error);

        var replay = await RefreshAsync(host, first.RefreshToken!, proof);
        Assert.Equal(HttpStatusCode.BadRequest, replay.HttpStatusCode);
        Assert.Equal("invalid_dpop_proof", replay.Error);
        var family = await host.FamilyOfAsync(first.RefreshToken!);
        Assert.Equal(1, family.Generation);
        Assert.Equal(FamilyStatus.Active, family.Status);

        // The same jti after the window is still refused while the entry lives, then the iat check takes over.
        host.Time.Advance(TimeSpan.FromMinutes(2));
        var stale = await RefreshAsync(host, first.RefreshToken!, proof);
        Assert.Equal("invalid_dpop_proof", stale.Error);
    }

    [Fact]
    public async Task A_proof_exactly_one_lifetime_old_is_refused_rather_than_found_expired_in_the_replay_cache()
    {
        await using var host = await AuthServerHost.StartAsync(Transport.TestServer);
        using var key = ProofMaker.Es256();
        var token = await BoundSignInAsync(host, key);
        var iat = DateTimeOffset.FromUnixTimeSeconds(host.Time.GetUtcNow().ToUnixTimeSeconds() + 1);
        host.Time.SetUtcNow(iat);
        var proof = key.Proof(Url(host, "oauth/token"), iat);
        var first = await RefreshAsync(host, token, proof);
        Assert.False(first.IsError, first.Error);

        // One millisecond before the end of its life the replay cache refuses it; at the end (the cache entry expires
        // at iat + ProofLifetime, 60 s by default) the iat window must already refuse it.
        host.Time.SetUtcNow(iat + TimeSpan.FromSeconds(60) - TimeSpan.FromMilliseconds(1));
        Assert.Equal("invalid_dpop_proof", (await RefreshAsync(host, first.RefreshToken!, proof)).Error);
        host.Time.SetUtcNow(iat + TimeSpan.FromSeconds(60));
        Assert.Equal("invalid_dpop_proof", (await RefreshAsync(host, first.RefreshToken!, proof)).Error);
        Assert.Equal(1, (await host.FamilyOfAsync(first.RefreshToken!)).Generation);
    }

    public static TheoryData<string> BadProofs() =>
    [
        "wrong htm", "wrong htu path", "wrong htu host", "htu with https", "stale iat", "future iat", "iat missing", "iat as string",
        "alg none", "HS256", "private key in jwk", "malformed", "two parts", "bad base64", "header not json", "1 MB", "9 KB",
        "wrong curve", "typ jwt", "no typ", "bad signature", "signature of another key", "no jwk", "jwk symmetric", "RSA 1024",
        "jti missing", "jti too long", "duplicate member", "crit", "alg RS256 with EC key", "point not on curve", "htu not a URI",
    ];

    [Theory]
    [MemberData(nameof(BadProofs))]
    public async Task A_bad_proof_is_invalid_dpop_proof_with_no_state_change(string kind)
    {
        await using var host = await AuthServerHost.StartAsync(Transport.TestServer);
        using var key = ProofMaker.Es256();
        var token = await BoundSignInAsync(host, key);
        var before = await host.FamilyOfAsync(token);
        var proof = BadProof(host, key, kind);

        var response = await RefreshAsync(host, token, proof);
        Assert.Equal(HttpStatusCode.BadRequest, response.HttpStatusCode);
        Assert.Equal("invalid_dpop_proof", response.Error);
        Assert.False(string.IsNullOrEmpty(response.ErrorDescription));
        Assert.Equal(before, await host.FamilyOfAsync(token));

        // The owner's next valid proof still rotates: nothing was revoked or counted.
        var owner = await RefreshAsync(host, token, key.Proof(Url(host, "oauth/token"), host.Time.GetUtcNow()));
        Assert.False(owner.IsError, owner.Error);
        Assert.DoesNotContain(token, host.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(proof.Length > 100 ? proof[..100] : "\u0001", host.Logs.All, StringComparison.Ordinal);
    }

    internal static string BadProof(AuthServerHost host, ProofMaker key, string kind)
    {
        var htu = Url(host, "oauth/token");
        var now = host.Time.GetUtcNow();
        using var other = ProofMaker.Es256();
        using var p384 = ProofMaker.Es384();
        using var rsa1024 = ProofMaker.Rs256(1024);
        return kind switch
        {
            "wrong htm" => key.Proof(htu, now, htm: "GET"),
            "wrong htu path" => key.Proof(Url(host, "oauth/revoke"), now),
            "wrong htu host" => key.Proof(htu.Replace("localhost", "evil.example", StringComparison.Ordinal), now),
            "htu with https" => key.Proof(htu.Replace("http:", "https:", StringComparison.Ordinal), now),
            "stale iat" => key.Proof(htu, now - TimeSpan.FromSeconds(61)),
            "future iat" => key.Proof(htu, now + TimeSpan.FromSeconds(30)),
            "iat missing" => key.Proof(htu, now, payload: p => p.Remove("iat")),
            "iat as string" => key.Proof(htu, now, payload: p => p["iat"] = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
            "alg none" => ProofMaker.B64($$"""{"typ":"dpop+jwt","alg":"none","jwk":{{key.PublicJwk().ToJsonString()}}}""") + "." + ProofMaker.B64($$"""{"jti":"a","htm":"POST","htu":"{{htu}}","iat":{{now.ToUnixTimeSeconds()}}}""") + ".",
            "HS256" => Hs256(htu, now, key),
            "private key in jwk" => key.Proof(htu, now, header: h => h["jwk"] = key.PublicJwk(withPrivate: true)),
            "malformed" => "not a proof at all",
            "two parts" => "eyJhbGciOiJFUzI1NiJ9.eyJhIjoxfQ",
            "bad base64" => "!!!!.@@@@.####",
            "header not json" => ProofMaker.B64("[1,2,3]") + "." + ProofMaker.B64("{}") + ".AAAA",
            "1 MB" => new string('a', 1 << 20),
            "9 KB" => key.Proof(htu, now, payload: p => p["pad"] = new string('x', 9000)),
            "wrong curve" => key.Proof(htu, now, header: h => h["jwk"] = p384.PublicJwk()),
            "typ jwt" => key.Proof(htu, now, header: h => h["typ"] = "JWT"),
            "no typ" => key.Proof(htu, now, header: h => h.Remove("typ")),
            "bad signature" => key.Proof(htu, now, badSignature: true),
            "signature of another key" => key.Proof(htu, now, header: h => h["jwk"] = other.PublicJwk()),
            "no jwk" => key.Proof(htu, now, header: h => h.Remove("jwk")),
            "jwk symmetric" => key.Proof(htu, now, header: h => h["jwk"] = new JsonObject { ["kty"] = "oct", ["kk"] = "AAAA" }),
            "RSA 1024" => rsa1024.Proof(htu, now),
            "jti missing" => key.Proof(htu, now, payload: p => p.Remove("jti")),
            "jti too long" => key.Proof(htu, now, jti: new string('j', 257)),
            "duplicate member" => DuplicateMember(htu, now, key),
            "crit" => key.Proof(htu, now, header: h => h["crit"] = new JsonArray("exp")),
            "alg RS256 with EC key" => key.Proof(htu, now, header: h => h["alg"] = "RS256"),
            "point not on curve" => key.Proof(htu, now, header: h => h["jwk"]!["x"] = ProofMaker.B64(new byte[32])),
            "htu not a URI" => key.Proof("oauth/token", now),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private static string Hs256(string htu, DateTimeOffset now, ProofMaker key)
    {
        var input = ProofMaker.B64($$"""{"typ":"dpop+jwt","alg":"HS256","jwk":{{key.PublicJwk().ToJsonString()}}}""") + "." + ProofMaker.B64($$"""{"jti":"h","htm":"POST","htu":"{{htu}}","iat":{{now.ToUnixTimeSeconds()}}}""");
        return input + "." + ProofMaker.B64(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key.PublicJwk()["x"]!.GetValue<string>()), Encoding.ASCII.GetBytes(input)));
    }

    private static string DuplicateMember(string htu, DateTimeOffset now, ProofMaker key)
    {
        var input = ProofMaker.B64($$"""{"typ":"dpop+jwt","alg":"ES256","jwk":{{key.PublicJwk().ToJsonString()}}}""") + "." + ProofMaker.B64($$"""{"jti":"d","htm":"POST","htu":"https://evil.example/oauth/token","htu":"{{htu}}","iat":{{now.ToUnixTimeSeconds()}}}""");
        return input + "." + ProofMaker.B64(key.Sign(Encoding.ASCII.GetBytes(input)));
    }

    [Fact]
    public async Task Two_DPoP_headers_are_refused()
    {
        await using var host = await AuthServerHost.StartAsync(Transport.TestServer);
        using var key = ProofMaker.Es256();
        var token = await BoundSignInAsync(host, key);
        var before = await host.FamilyOfAsync(token);
        using var request = new HttpRequestMessage(HttpMethod.Post, "oauth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = token, ["client_id"] = AuthServerHost.Spa }),
        };
        request.Headers.TryAddWithoutValidation("DPoP", key.Proof(Url(host, "oauth/token"), host.Time.GetUtcNow()));
        request.Headers.TryAddWithoutValidation("DPoP", key.Proof(Url(host, "oauth/token"), host.Time.GetUtcNow()));
        using var response = await host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_dpop_proof", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(before, await host.FamilyOfAsync(token));
    }

    [Fact]
    public async Task A_client_that_requires_binding_gets_no_unbound_family_and_no_rotation_without_a_proof()
    {
        await using var host = await AuthServerHost.StartAsync(Transport.TestServer);
        var (status, body, _) = await SignInAsync(host, null, Native);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_dpop_proof", body.GetProperty("error").GetString());
        Assert.Empty(await host.Engine.ListFamiliesAsync("alice"));

        using var key = ProofMaker.Es256();
        var token = await BoundSignInAsync(host, key, Native);
        var before = await host.FamilyOfAsync(token);
        var unbound = await RefreshAsync(host, token, null, Native);
        Assert.Equal("invalid_dpop_proof", unbound.Error);
        Assert.Equal(before, await host.FamilyOfAsync(token));

        var bound = await RefreshAsync(host, token, key.Proof(Url(host, "oauth/token"), host.Time.GetUtcNow()), Native);
        Assert.False(bound.IsError, bound.Error);
    }

    [Fact]
    public async Task A_bad_proof_at_sign_in_issues_nothing()
    {
        await using var host = await AuthServerHost.StartAsync(Transport.TestServer);
        using var key = ProofMaker.Es256();
        var (status, body, _) = await SignInAsync(host, key.Proof(Url(host, "oauth/token"), host.Time.GetUtcNow()));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_dpop_proof", body.GetProperty("error").GetString());
        Assert.Empty(await host.Engine.ListFamiliesAsync("alice"));
    }

    [Fact]
    public async Task Nonces_when_required_use_dpop_nonce_then_succeed()
    {
        await using var host = await AuthServerHost.StartAsync(Transport.TestServer, new Dictionary<string, string?> { ["RotationEngine:DPoP:RequireNonce"] = "true" });
        using var key = ProofMaker.Es256();
        var (status, body, signIn) = await SignInAsync(host, key.Proof(Url(host, "signin"), host.Time.GetUtcNow()));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("use_dpop_nonce", body.GetProperty("error").GetString());
        var nonce = signIn.Headers.GetValues("DPoP-Nonce").Single();

        var (ok, signedIn, _) = await SignInAsync(host, key.Proof(Url(host, "signin"), host.Time.GetUtcNow(), nonce: nonce));
        Assert.Equal(HttpStatusCode.OK, ok);
        var token = signedIn.GetProperty("refresh_token").GetString()!;

        var wrong = await RefreshAsync(host, token, key.Proof(Url(host, "oauth/token"), host.Time.GetUtcNow(), nonce: "AAAAAAAAAAAAAAAAAAAAAA"));
        Assert.Equal("use_dpop_nonce", wrong.Error);
        Assert.Equal(nonce, wrong.DPoPNonce);
        Assert.Equal(0, (await host.FamilyOfAsync(token)).Generation);

        // The previous bucket's nonce is still accepted; two buckets later it is not.
        host.Time.Advance(TimeSpan.FromMinutes(5));
        var late = await RefreshAsync(host, token, key.Proof(Url(host, "oauth/token"), host.Time.GetUtcNow(), nonce: nonce));
        Assert.False(late.IsError, late.Error);
        host.Time.Advance(TimeSpan.FromMinutes(10));
        var expired = await RefreshAsync(host, late.RefreshToken!, key.Proof(Url(host, "oauth/token"), host.Time.GetUtcNow(), nonce: nonce));
        Assert.Equal("use_dpop_nonce", expired.Error);
        Assert.NotEqual(nonce, expired.DPoPNonce);
    }

    [Fact]
    public async Task Over_Kestrel_a_valid_proof_rotates_and_a_megabyte_header_changes_nothing()
    {
        await using var host = await AuthServerHost.StartAsync(Transport.Kestrel);
        using var key = ProofMaker.Rs256();
        var token = await BoundSignInAsync(host, key);
        var response = await RefreshAsync(host, token, key.Proof(Url(host, "oauth/token"), host.Time.GetUtcNow()));
        Assert.False(response.IsError, response.Error);
        token = response.RefreshToken!;
        var before = await host.FamilyOfAsync(token);

        var huge = await RefreshAsync(host, token, new string('a', 1 << 20));
        Assert.True(huge.HttpStatusCode is HttpStatusCode.RequestHeaderFieldsTooLarge or HttpStatusCode.BadRequest, huge.HttpStatusCode.ToString());
        var wrongHost = await RefreshAsync(host, token, BadProof(host, key, "htu with https"));
        Assert.Equal("invalid_dpop_proof", wrongHost.Error);
        Assert.Equal(before, await host.FamilyOfAsync(token));
    }
}
