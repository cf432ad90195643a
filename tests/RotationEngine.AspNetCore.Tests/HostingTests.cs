using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RotationEngine.AspNetCore.Clients;
using RotationEngine.AspNetCore.Hosting;
using RotationEngine.AspNetCore.Tests.Infrastructure;

namespace RotationEngine.AspNetCore.Tests;

/// <summary>Configuration binding, start-up validation, pruning, the health check and the rate-limiter hook.</summary>
public sealed class HostingTests
{
    private static RotationEngineOptions Bind(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddRotationEngine(configuration).UseInMemoryStore();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<RotationEngineOptions>>().Value;
    }

    [Fact]
    public void Client_policies_inherit_the_configured_default_and_change_only_what_they_name()
    {
        var options = Bind(new()
        {
            ["DefaultPolicy:GraceWindow"] = "00:00:30",
            ["DefaultPolicy:TokenLifetime"] = "7.00:00:00",
            ["ClientPolicies:spa:GraceDepth"] = "2",
            ["ClientPolicies:native:GraceWindow"] = "00:00:05",
            ["Keys:0:Id"] = "k1",
            ["Keys:0:Secret"] = Convert.ToBase64String(new byte[32]),
            ["Retention"] = "1.00:00:00",
        });
        Assert.Equal(TimeSpan.FromSeconds(30), options.DefaultPolicy.GraceWindow);
        Assert.Equal(options.DefaultPolicy with { GraceDepth = 2 }, options.PolicyFor("spa"));
        Assert.Equal(options.DefaultPolicy with { GraceWindow = TimeSpan.FromSeconds(5) }, options.PolicyFor("native"));
        Assert.Equal(TimeSpan.FromDays(7), options.PolicyFor("native").TokenLifetime);
        Assert.Same(options.DefaultPolicy, options.PolicyFor("unlisted"));
        Assert.Equal("k1", Assert.Single(options.Keys).Id);
        Assert.Equal(TimeSpan.FromDays(1), options.Retention);
        Assert.Equal(TimeSpan.FromSeconds(10), RotationPolicy.Default.GraceWindow);   // the shared default is untouched
    }

    [Fact]
    public void A_misspelt_policy_key_is_named()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Bind(new() { ["ClientPolicies:spa:GraceWindw"] = "00:00:05" }));
        Assert.Contains("GraceWindw", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> BadSettings => new()
    {
        { "RotationEngine:Endpoints:TokenPath", "oauth/token", "TokenPath" },
        { "RotationEngine:Endpoints:RevocationPath", "/oauth/token", "RevocationPath" },
        { "RotationEngine:Endpoints:MaxFormBytes", "10", "MaxFormBytes" },
        { "RotationEngine:Endpoints:RetryAfter", "00:00:00.500", "RetryAfter" },
        { "RotationEngine:Endpoints:Realm", "a\"b", "Realm" },
        { "RotationEngine:Pruning:Jitter", "02:00:00", "Jitter" },
        { "RotationEngine:Clients:broken:SecretDigests:0", "not-base64", "SecretDigests" },
        { "RotationEngine:DefaultPolicy:GraceDepth", "99", "GraceDepth" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_setting_stops_the_start_with_its_name(string key, string value, string named)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var host = await AuthServerHost.StartAsync(Transport.TestServer, new Dictionary<string, string?> { [key] = value });
            await host.Http.GetAsync("health");
        });
        Assert.Contains(named, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Mapping_without_an_access_token_issuer_says_what_to_register()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddRotationEngine(new ConfigurationBuilder().Build()).UseInMemoryStore();
        using var app = builder.Build();
        var error = Assert.Throws<InvalidOperationException>(() => app.MapRotationEndpoints());
        Assert.Contains("IAccessTokenIssuer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Clients_from_configuration_keep_only_secret_digests()
    {
        var registry = Assert.IsType<InMemoryClientRegistry>(BuildRegistry(new()
        {
            ["Clients:web:Secrets:0"] = "s3cret-one",
            ["Clients:web:SecretDigests:0"] = Convert.ToBase64String(ClientRegistration.DigestSecret("s3cret-two")),
            ["Clients:app"] = "",
            ["Clients:app:AllowRefreshTokenGrant"] = "true",
        }));
        var web = registry.Clients.Single(c => c.ClientId == "web");
        Assert.False(web.IsPublic);
        Assert.True(web.VerifySecret("s3cret-one"));
        Assert.True(web.VerifySecret("s3cret-two"));
        Assert.False(web.VerifySecret("s3cret-on"));
        Assert.False(web.VerifySecret(""));
        Assert.True(registry.Clients.Single(c => c.ClientId == "app").IsPublic);
        Assert.DoesNotContain("s3cret", web.ToString(), StringComparison.Ordinal);
    }

    private static IClientRegistry BuildRegistry(Dictionary<string, string?> values)
    {
        var services = new ServiceCollection();
        services.AddRotationEngine(new ConfigurationBuilder().AddInMemoryCollection(values).Build()).UseInMemoryStore();
        return services.BuildServiceProvider().GetRequiredService<IClientRegistry>();
    }

    [Fact]
    public async Task Pruning_runs_on_the_timer_of_the_time_provider_and_deletes_old_revoked_families()
    {
        await using var host = await AuthServerHost.StartAsync(Transport.TestServer, new Dictionary<string, string?>
        {
            ["RotationEngine:Pruning:Enabled"] = "true",
            ["RotationEngine:Pruning:Interval"] = "01:00:00",
            ["RotationEngine:Pruning:Jitter"] = "00:10:00",
            ["RotationEngine:Retention"] = "00:00:00",
        });
        var pruning = host.Services.GetServices<IHostedService>().OfType<PruningService>().Single();
        var token = await host.SignInTokenAsync("pruned");
        var id = (await host.FamilyOfAsync(token)).Id;
        await host.Engine.RevokeFamilyAsync(id, RevocationReason.SignOut);
        host.Time.Advance(TimeSpan.FromSeconds(1));

        // No prune before the interval; one by interval + jitter, advanced a minute at a time.
        host.Time.Advance(TimeSpan.FromMinutes(59));
        await Task.Delay(100);
        Assert.Equal(0, pruning.Runs);
        for (var minute = 0; minute <= 11 && pruning.Runs == 0; minute++)
        {
            host.Time.Advance(TimeSpan.FromMinutes(1));
            for (var wait = 0; wait < 20 && pruning.Runs == 0; wait++)
            {
                await Task.Delay(10);
            }
        }

        Assert.Equal(1, pruning.Runs);
        Assert.Null(await host.Engine.GetFamilyAsync(id));
    }

    [Fact]
    public async Task Pruning_survives_a_store_fault()
    {
        await using var host = await AuthServerHost.StartAsync(Transport.TestServer, new Dictionary<string, string?>
        {
            ["RotationEngine:Pruning:Enabled"] = "true",
            ["RotationEngine:Pruning:Interval"] = "00:01:00",
            ["RotationEngine:Pruning:Jitter"] = "00:00:00",
        });
        var pruning = host.Services.GetServices<IHostedService>().OfType<PruningService>().Single();
        await host.Http.GetAsync("health");
        host.Store.IsDown = true;
        for (var i = 0; i < 2; i++)
        {
            var runs = pruning.Runs;
            host.Time.Advance(TimeSpan.FromMinutes(1));
            for (var wait = 0; wait < 500 && pruning.Runs == runs; wait++)
            {
                await Task.Delay(10);
            }
        }

        host.Store.Heal();
        Assert.Equal(2, pruning.Runs);
        Assert.Contains("[3006]", host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_health_check_reports_the_store()
    {
        await using var host = await AuthServerHost.StartAsync(Transport.TestServer);
        using (var healthy = await host.Http.GetAsync("health"))
        {
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
            Assert.Equal("Healthy", await healthy.Content.ReadAsStringAsync());
        }

        host.Store.IsDown = true;
        using var unhealthy = await host.Http.GetAsync("health");
        host.Store.Heal();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unhealthy.StatusCode);
        Assert.Equal("Unhealthy", await unhealthy.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_rate_limiter_policy_applies_to_the_endpoints()
    {
        await using var host = await AuthServerHost.StartAsync(Transport.Kestrel, new Dictionary<string, string?> { ["AuthServer:RateLimitPerSecond"] = "3" });
        // Ten at once: the bucket holds three, so whatever the machine's speed some must be refused.
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            host.Http.PostAsync("oauth/token", Wire.Form(("grant_type", "refresh_token"), ("refresh_token", "x"), ("client_id", "spa")))));
        var statuses = responses.Select(r => r.StatusCode).ToList();
        foreach (var response in responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests))
        {
            RefreshFlowTests.AssertNoStore(response);
            Assert.NotNull(response.Headers.RetryAfter);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.Contains(HttpStatusCode.BadRequest, statuses);   // the ones let through reach the endpoint
        Assert.InRange(statuses.Count(s => s == HttpStatusCode.BadRequest), 1, 6);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task The_store_is_opened_and_its_schema_created_at_start_up()
    {
        await using var host = await AuthServerHost.StartAsync(Transport.TestServer);
        var database = Path.Combine(host.Services.GetRequiredService<IOptions<AuthServer.SampleSettings>>().Value.ResolvedDataDirectory, "refresh-tokens.db");
        Assert.True(File.Exists(database));
        Assert.Contains("schema migrated", host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task First_run_without_keys_creates_owner_only_key_files_and_tokens_survive_a_restart()
    {
        var directory = Path.Combine(Path.GetTempPath(), "re-aspnetcore-tests", Guid.NewGuid().ToString("N"));
        try
        {
            string token;
            await using (var first = await AuthServerHost.StartAsync(Transport.TestServer, dataDirectory: directory))
            {
                token = await first.SignInTokenAsync("restart");
            }

            foreach (var file in new[] { "engine-key.txt", "signing-key.pem", "refresh-tokens.db" })
            {
                var path = Path.Combine(directory, file);
                Assert.True(File.Exists(path), file);
                if (!OperatingSystem.IsWindows())
                {
                    Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
                }
            }

            var key = await File.ReadAllTextAsync(Path.Combine(directory, "engine-key.txt"));
            await using var second = await AuthServerHost.StartAsync(Transport.TestServer, dataDirectory: directory);
            var refreshed = await second.RefreshAsync(token);
            Assert.False(refreshed.IsError, refreshed.Error);
            Assert.Equal(key, await File.ReadAllTextAsync(Path.Combine(directory, "engine-key.txt")));
            Assert.DoesNotContain(key.Trim(), second.Logs.All, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_failing_access_token_hook_is_a_500_with_no_store_and_the_retry_replays()
    {
        var failing = new FlakyIssuer();
        await using var host = await AuthServerHost.StartAsync(Transport.TestServer, services: services =>
            services.Replace(ServiceDescriptor.Singleton<AccessTokens.IAccessTokenIssuer>(sp => failing.With(sp.GetRequiredService<AuthServer.JwtAccessTokenIssuer>()))));
        var token = await host.SignInTokenAsync("hook");
        failing.FailNext = true;
        var failed = await host.RefreshAsync(token);
        Assert.Equal(HttpStatusCode.InternalServerError, failed.HttpStatusCode);
        Assert.Equal("server_error", Wire.Error(failed));
        RefreshFlowTests.AssertNoStore(failed.HttpResponse!);
        Assert.Equal(1, (await host.FamilyOfAsync(token)).Generation);

        var retry = await host.RefreshAsync(token);
        Assert.False(retry.IsError, retry.Error);
        Assert.Equal(1, (await host.FamilyOfAsync(retry.RefreshToken!)).Generation);
        Assert.Contains("[3004]", host.Logs.All, StringComparison.Ordinal);
    }

    private sealed class FlakyIssuer : AccessTokens.IAccessTokenIssuer
    {
        private AccessTokens.IAccessTokenIssuer _inner = null!;

        public bool FailNext { get; set; }

        public FlakyIssuer With(AccessTokens.IAccessTokenIssuer inner)
        {
            _inner = inner;
            return this;
        }

        public ValueTask<AccessTokens.AccessTokenResult> IssueAsync(AccessTokens.AccessTokenRequest request, CancellationToken cancellationToken = default)
        {
            if (FailNext)
            {
                FailNext = false;
                throw new InvalidOperationException("the signing service is down");
            }

            return _inner.IssueAsync(request, cancellationToken);
        }
    }
}
