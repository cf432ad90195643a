using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.DependencyInjection;
using RotationEngine.AspNetCore.Tests.Infrastructure;
using RotationEngine.DPoP;
using RotationEngine.DPoP.Tests;
using RotationEngine.Postgres;
using RotationEngine.Postgres.DPoP;
using RotationEngine.Redis;
using RotationEngine.Redis.DPoP;
using RotationEngine.Servers.Tests.Infrastructure;
using RotationEngine.Servers.Tests.Postgres;
using RotationEngine.Servers.Tests.Redis;

namespace RotationEngine.Servers.Tests.DPoP;

/// <summary>
/// Two instances of the sample server (samples/AuthServer, <c>AuthServer:DPoPReplayCache=store</c>) on one PostgreSQL
/// table or one Redis key prefix: a DPoP proof accepted by one is refused by the other, as the SQLite pair in
/// tests/RotationEngine.DPoP.Tests shows for a shared file.
/// </summary>
public sealed class SharedReplayCacheEndToEndTests
{
    [Fact]
    public async Task Two_instances_sharing_PostgreSQL_refuse_a_proof_replayed_across_them()
    {
        await TestServers.RequirePostgresAsync();
        var table = PostgresStores.NewTableName();
        await ReplayedAcrossTwoInstancesAsync(
            new Dictionary<string, string?> { ["AuthServer:Store"] = "postgres", ["ConnectionStrings:Postgres"] = TestServers.PostgresConnectionString },
            services => services.Configure<PostgresFamilyStoreOptions>(o => o.TableName = table),
            typeof(PostgresDPoPReplayCache));
    }

    [Fact]
    public async Task Two_instances_sharing_Redis_refuse_a_proof_replayed_across_them()
    {
        await TestServers.RequireRedisAsync();
        var prefix = RedisStores.NewPrefix();
        await ReplayedAcrossTwoInstancesAsync(
            new Dictionary<string, string?> { ["AuthServer:Store"] = "redis", ["ConnectionStrings:Redis"] = TestServers.RedisConfiguration },
            services => services.Configure<RedisFamilyStoreOptions>(o => o.KeyPrefix = prefix),
            typeof(RedisDPoPReplayCache));
    }

    private static async Task ReplayedAcrossTwoInstancesAsync(Dictionary<string, string?> settings, Action<IServiceCollection> services, Type cacheType)
    {
        // One data directory: the two instances share the engine key and the signing key, as a deployment does.
        var data = Path.Combine(Path.GetTempPath(), "re-servers-dpop-tests", Guid.NewGuid().ToString("N"));
        settings["AuthServer:DataDirectory"] = data;
        settings["AuthServer:DPoPReplayCache"] = "store";
        try
        {
            await using var a = await AuthServerHost.StartAsync(Transport.TestServer, settings, services);
            await using var b = await AuthServerHost.StartAsync(Transport.TestServer, settings, services);
            Assert.IsType(cacheType, a.Services.GetRequiredService<IDPoPReplayCache>());
            using var key = ProofMaker.Es256();
            var token = await BoundSignInAsync(a, key);

            var proof = key.Proof(Url(a, "oauth/token"), a.Time.GetUtcNow());
            var atA = await RefreshAsync(a, token, proof);
            Assert.False(atA.IsError, atA.Error);

            var replayAtB = await RefreshAsync(b, atA.RefreshToken!, proof);
            Assert.Equal("invalid_dpop_proof", replayAtB.Error);
            Assert.Equal(1, (await b.FamilyOfAsync(atA.RefreshToken!)).Generation);

            var freshAtB = await RefreshAsync(b, atA.RefreshToken!, key.Proof(Url(b, "oauth/token"), b.Time.GetUtcNow()));
            Assert.False(freshAtB.IsError, freshAtB.Error);
            Assert.Equal(2, (await a.FamilyOfAsync(freshAtB.RefreshToken!)).Generation);

            // And the other way round: B's proof replayed at A.
            var proofAtB = key.Proof(Url(b, "oauth/token"), b.Time.GetUtcNow());
            var third = await RefreshAsync(b, freshAtB.RefreshToken!, proofAtB);
            Assert.False(third.IsError, third.Error);
            Assert.Equal("invalid_dpop_proof", (await RefreshAsync(a, third.RefreshToken!, proofAtB)).Error);
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    private static string Url(AuthServerHost host, string path) => new Uri(host.Http.BaseAddress!, path).AbsoluteUri;

    private static async Task<string> BoundSignInAsync(AuthServerHost host, ProofMaker key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "alice", ["client_id"] = AuthServerHost.Spa }),
        };
        request.Headers.TryAddWithoutValidation("DPoP", key.Proof(Url(host, "signin"), host.Time.GetUtcNow()));
        using var response = await host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("DPoP", body.GetProperty("token_type").GetString());
        return body.GetProperty("refresh_token").GetString()!;
    }

    private static Task<TokenResponse> RefreshAsync(AuthServerHost host, string refreshToken, string proof) =>
        host.Http.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = "oauth/token",
            ClientId = AuthServerHost.Spa,
            RefreshToken = refreshToken,
            DPoPProofToken = proof,
        });
}
