using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using RotationEngine;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpenIddictServer;

/// <summary>
/// A real OpenIddict 7.8 server: password and refresh-token grants through a passthrough token endpoint written as
/// OpenIddict's samples write it, revocation and introspection endpoints, OpenIddict's entities on EF Core SQLite.
/// With <see cref="RefreshTokenMode.RotationEngine"/> the refresh tokens come from RotationEngine (the one line
/// <c>options.UseRotationEngine()</c> plus the engine's own registration); otherwise they are OpenIddict's.
/// </summary>
public static class AuthServer
{
    /// <summary>The public client (a browser or mobile app; no secret).</summary>
    public const string PublicClient = "spa";

    /// <summary>A second public client, for "another client's token".</summary>
    public const string OtherClient = "other-app";

    /// <summary>A confidential client (a backend), which may also introspect its own tokens.</summary>
    public const string ConfidentialClient = "backend";

    /// <summary>The confidential client's secret.</summary>
    public const string ConfidentialSecret = "backend-secret-for-tests-only";

    /// <summary>The sample user.</summary>
    public static readonly TestUser Alice = new("user-alice", "alice", "correct horse battery staple", "alice@example.test", ["reader"]);

    /// <summary>Builds the server (not started).</summary>
    public static WebApplication Build(AuthServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(options.DataDirectory);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseUrls(options.Url);
        builder.Logging.ClearProviders();
        if (options.Logging)
        {
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Information);
        }

        var services = builder.Services;
        if (options.Clock is { } clock)
        {
            services.AddSingleton(clock);
        }

        services.AddSingleton(new TestUsers());
        services.AddDbContext<AuthDbContext>(db =>
        {
            db.UseSqlite($"Data Source={Path.Combine(options.DataDirectory, "openiddict.db")}").UseOpenIddict();
            if (options.WalForOpenIddict)
            {
                db.AddInterceptors(new WalConnectionInterceptor());
            }

            options.ConfigureDatabase?.Invoke(db);
        });

        var openIddict = services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<AuthDbContext>())
            .AddServer(server =>
            {
                // A fixed issuer, as a deployment has one (the test servers restart on other ports).
                server.SetIssuer(new Uri("https://auth.sample.test/"));
                server.SetTokenEndpointUris("connect/token")
                    .SetRevocationEndpointUris("connect/revoke")
                    .SetIntrospectionEndpointUris("connect/introspect");
                server.AllowPasswordFlow().AllowRefreshTokenFlow();
                server.RegisterScopes(Scopes.OfflineAccess, Scopes.Email, Scopes.Roles, "api");
                // Access tokens as most deployments issue them: RS256-signed JWTs that resource servers read themselves.
                // The same in both modes (the benchmark compares refresh-token designs, not access-token settings).
                _ = options.SigningKey is { } signing ? server.AddSigningKey(signing) : server.AddEphemeralSigningKey();
                _ = options.EncryptionKey is { } encryption ? server.AddEncryptionKey(encryption) : server.AddEphemeralEncryptionKey();
                server.DisableAccessTokenEncryption();
                server.UseAspNetCore()
                    .EnableTokenEndpointPassthrough()
                    .DisableTransportSecurityRequirement();
                if (options.Mode == RefreshTokenMode.RotationEngine)
                {
                    // The one line: OpenIddict's refresh tokens are now the engine's.
                    var engine = server.UseRotationEngine();
                    if (options.UseRebuilder)
                    {
                        engine.AddPrincipalRebuilder<UserStoreRebuilder>();
                    }

                    if (options.ConfigureIntegration is { } configure)
                    {
                        engine.Configure(configure);
                    }
                }
            });
        GC.KeepAlive(openIddict);

        if (options.Mode == RefreshTokenMode.RotationEngine)
        {
            services.AddRotationEngine(engine =>
                {
                    engine.Keys.Add(new KeyOptions { Id = "sample", Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
                    engine.DefaultPolicy = options.Policy;
                })
                .UseSqliteStore(sqlite => sqlite.DatabasePath = Path.Combine(options.DataDirectory, "families.db"));
        }

        services.AddAuthorization();
        options.ConfigureServices?.Invoke(services);

        var app = builder.Build();
        using (var scope = app.Services.CreateScope())
        {
            scope.ServiceProvider.GetRequiredService<AuthDbContext>().Database.EnsureCreated();
            SeedAsync(scope.ServiceProvider).GetAwaiter().GetResult();
        }

        app.Services.GetRequiredService<TestUsers>().Put(Alice);
        app.MapPost("/connect/token", (HttpContext context, TestUsers users) => TokenEndpoint.HandleAsync(context, users));
        return app;
    }

    private static async Task SeedAsync(IServiceProvider services)
    {
        var applications = services.GetRequiredService<IOpenIddictApplicationManager>();
        foreach (var (clientId, secret) in new[] { (PublicClient, (string?)null), (OtherClient, null), (ConfidentialClient, ConfidentialSecret) })
        {
            if (await applications.FindByClientIdAsync(clientId) is not null)
            {
                continue;
            }

            var descriptor = new OpenIddictApplicationDescriptor
            {
                ClientId = clientId,
                ClientSecret = secret,
                ClientType = secret is null ? ClientTypes.Public : ClientTypes.Confidential,
                DisplayName = clientId,
                Permissions =
                {
                    Permissions.Endpoints.Token,
                    Permissions.Endpoints.Revocation,
                    Permissions.GrantTypes.Password,
                    Permissions.GrantTypes.RefreshToken,
                    Permissions.Scopes.Email,
                    Permissions.Scopes.Roles,
                    Permissions.Prefixes.Scope + "api",
                },
            };
            if (secret is not null)
            {
                descriptor.Permissions.Add(Permissions.Endpoints.Introspection);
            }

            await applications.CreateAsync(descriptor);
        }
    }
}
