using System.Net;
using RotationEngine.AspNetCore.Tests.Infrastructure;
using RotationEngine.Client;
using RotationEngine.Client.DPoP;
using static RotationEngine.DPoP.Tests.DPoPRefreshTests;

namespace RotationEngine.DPoP.Tests;

/// <summary>RotationEngine.Client's DPoP proofs against the sample server.</summary>
public sealed class ClientProofTests
{
    [Fact]
    public async Task The_client_binds_at_sign_in_rotates_with_fresh_proofs_and_retries_once_for_a_nonce()
    {
        await using var host = await AuthServerHost.StartAsync(Transport.Kestrel, new Dictionary<string, string?> { ["RotationEngine:DPoP:RequireNonce"] = "true" });
        using var proofs = new DPoPProofProvider(host.Time);

        // Sign-in: the first proof has no nonce and is answered use_dpop_nonce with one.
        var (first, _, answer) = await SignInAsync(host, proofs.CreateProof(HttpMethod.Post, new Uri(Url(host, "signin"))));
        Assert.Equal(HttpStatusCode.BadRequest, first);
        var nonce = answer.Headers.GetValues("DPoP-Nonce").Single();
        var (ok, body, _) = await SignInAsync(host, proofs.CreateProof(HttpMethod.Post, new Uri(Url(host, "signin?x=1#f")), nonce));
        Assert.Equal(HttpStatusCode.OK, ok);
        var refreshToken = body.GetProperty("refresh_token").GetString()!;
        Assert.Equal(proofs.Thumbprint, (await host.FamilyOfAsync(refreshToken)).Binding);

        // Two nonce lifetimes later the session's nonce is stale: the refresh is use_dpop_nonce, retried once, rotated.
        host.Time.Advance(TimeSpan.FromMinutes(11));
        var store = new InMemoryTokenStore(TokenSet.FromRefreshToken(refreshToken));
        using var session = new TokenSession(new TokenSessionOptions
        {
            TokenEndpoint = new Uri(Url(host, "oauth/token")),
            ClientId = AuthServerHost.Spa,
            ProofProvider = proofs,
            TimeProvider = host.Time,
        }, store, host.Http);
        session.UpdateNonce(nonce);
        var tokens = await session.GetTokensAsync();
        Assert.Equal("DPoP", tokens.AccessTokenType);
        Assert.Equal(1, (await host.FamilyOfAsync(tokens.RefreshToken)).Generation);

        // Every later refresh carries a fresh proof (new jti) and the current nonce.
        for (var i = 0; i < 3; i++)
        {
            tokens = await session.RefreshAsync(tokens);
        }

        Assert.Equal(4, (await host.FamilyOfAsync(tokens.RefreshToken)).Generation);
    }

    [Fact]
    public async Task The_clients_refresh_token_is_worthless_with_another_key()
    {
        await using var host = await AuthServerHost.StartAsync(Transport.TestServer);
        using var proofs = new DPoPProofProvider(host.Time);
        using var thief = new DPoPProofProvider(host.Time);
        var (_, body, _) = await SignInAsync(host, proofs.CreateProof(HttpMethod.Post, new Uri(Url(host, "signin"))));
        var token = body.GetProperty("refresh_token").GetString()!;
        var stolen = await RefreshAsync(host, token, thief.CreateProof(HttpMethod.Post, new Uri(Url(host, "oauth/token"))));
        Assert.Equal("invalid_grant", stolen.Error);
        Assert.Equal(RevocationReason.BindingMismatch, (await host.FamilyOfAsync(token)).RevocationReason);
    }
}
