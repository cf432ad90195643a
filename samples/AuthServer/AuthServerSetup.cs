using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using RotationEngine;
using RotationEngine.AspNetCore.AccessTokens;
using RotationEngine.DPoP;
using RotationEngine.Postgres.DPoP;
using RotationEngine.Redis.DPoP;
using RotationEngine.Sqlite.DPoP;

namespace AuthServer;

/// <summary>The sample's wiring, kept out of <c>Program.cs</c> so that the program stays a few lines.</summary>
public static class AuthServerSetup
{
    /// <summary>The rate-limiter policy of the OAuth endpoints (<c>RotationEngine:Endpoints:RateLimiterPolicy</c>).</summary>
    public const string RateLimiterPolicy = "oauth";

    /// <summary>Registers everything: engine and store, clients, endpoints, JWT issuer, pruning, health check,
    /// rate limiter, OpenTelemetry.</summary>
    public static WebApplicationBuilder AddAuthServer(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var services = builder.Services;
        var settings = configuration.GetSection("AuthServer").Get<SampleSettings>() ?? new SampleSettings();
        services.Configure<SampleSettings>(configuration.GetSection("AuthServer"));
        var data = settings.ResolvedDataDirectory;

        var engineSection = configuration.GetSection("RotationEngine");
        var engine = services.AddRotationEngine(engineSection);
        engine.AddDPoP();          // DPoP-bound refresh tokens (RFC 9449): RotationEngine:DPoP, docs/dpop.md
        services.Configure<RotationEngine.AspNetCore.DPoP.DPoPOptions>(engineSection.GetSection("DPoP"));
        services.AddOptions<RotationEngineOptions>().Configure<IOptions<SampleSettings>>((options, sample) =>
        {
            if (options.Keys.Count == 0)
            {
                // No key configured: the sample keeps its own in a 0600 file (see LocalKeys), created on first run.
                var secret = LocalKeys.LoadOrCreateEngineKey(Path.Combine(sample.Value.ResolvedDataDirectory, "engine-key.txt"));
                options.Keys.Add(new KeyOptions { Id = "sample-1", Secret = secret });
            }
        });

        _ = settings.Store.ToUpperInvariant() switch
        {
            "SQLITE" => engine.UseSqliteStore(o =>
            {
                o.DatabasePath = settings.DatabasePath ?? Path.Combine(data, "refresh-tokens.db");
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(o.DatabasePath))!);
            }),
            "POSTGRES" => engine.UsePostgresStore(configuration.GetConnectionString("Postgres")
                ?? throw new InvalidOperationException("AuthServer:Store is postgres: set ConnectionStrings:Postgres.")),
            "REDIS" => engine.UseRedisStore(configuration.GetConnectionString("Redis")
                ?? throw new InvalidOperationException("AuthServer:Store is redis: set ConnectionStrings:Redis.")),
            "MEMORY" => engine.UseInMemoryStore(),
            _ => throw new InvalidOperationException($"AuthServer:Store is '{settings.Store}'; it must be sqlite, postgres, redis or memory."),
        };

        // DPoP replay cache: in memory (one instance) unless AuthServer:DPoPReplayCache is "store": then in the
        // configured store, shared by every instance on the same SQLite file, PostgreSQL database or Redis (docs/dpop.md).
        services.AddSingleton<IDPoPReplayCache>(sp =>
            !string.Equals(sp.GetRequiredService<IConfiguration>()["AuthServer:DPoPReplayCache"], "store", StringComparison.OrdinalIgnoreCase)
                ? new InMemoryDPoPReplayCache()
                : settings.Store.ToUpperInvariant() switch
                {
                    "SQLITE" => new SqliteDPoPReplayCache(sp.GetRequiredService<IOptions<RotationEngine.Sqlite.SqliteFamilyStoreOptions>>().Value),
                    "POSTGRES" => new PostgresDPoPReplayCache(sp.GetRequiredService<IOptions<RotationEngine.Postgres.PostgresFamilyStoreOptions>>().Value),
                    "REDIS" => new RedisDPoPReplayCache(sp.GetRequiredService<IOptions<RotationEngine.Redis.RedisFamilyStoreOptions>>().Value),
                    _ => throw new InvalidOperationException($"AuthServer:DPoPReplayCache=store needs a shared store (sqlite, postgres or redis), not '{settings.Store}'."),
                });

        services.AddSingleton(sp =>
        {
            var sample = sp.GetRequiredService<IOptions<SampleSettings>>().Value;
            return new SigningKey(LocalKeys.LoadOrCreateSigningKey(sample.SigningKeyFile ?? Path.Combine(sample.ResolvedDataDirectory, "signing-key.pem")));
        });
        services.AddSingleton<JwtAccessTokenIssuer>();
        services.AddSingleton<IAccessTokenIssuer>(sp => sp.GetRequiredService<JwtAccessTokenIssuer>());
        services.AddHealthChecks().AddRotationStoreCheck();
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(RateLimiterPolicy, context => settings.RateLimitPerSecond <= 0
                ? RateLimitPartition.GetNoLimiter("all")
                : RateLimitPartition.GetTokenBucketLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = settings.RateLimitPerSecond,
                    TokensPerPeriod = settings.RateLimitPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                }));
            o.OnRejected = async (context, cancellationToken) =>
            {
                var response = context.HttpContext.Response;
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                response.Headers.CacheControl = "no-store";
                response.Headers.Pragma = "no-cache";
                response.Headers.RetryAfter = "1";
                await response.WriteAsJsonAsync(new { error = "slow_down", error_description = "Too many requests; retry after a second." }, cancellationToken);
            };
        });

        var telemetry = services.AddOpenTelemetry()
            .WithTracing(t =>
            {
                t.AddSource(RotationEngineTelemetry.ActivitySourceName).AddAspNetCoreInstrumentation();
                if (settings.ConsoleTelemetry)
                {
                    t.AddConsoleExporter();
                }
            })
            .WithMetrics(m =>
            {
                m.AddMeter(RotationEngineTelemetry.MeterName).AddAspNetCoreInstrumentation();
                if (settings.ConsoleTelemetry)
                {
                    m.AddConsoleExporter();
                }
            });
        if (!string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>Maps the OAuth endpoints, the fake sign-in, the sessions page, the health check, the JWK set and the
    /// server metadata (RFC 8414).</summary>
    public static WebApplication MapAuthServer(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseRateLimiter();
        app.MapRotationEndpoints();
        app.MapSignIn();
        app.MapSessions();
        app.MapHealthChecks("/health");
        app.MapGet(ServerMetadata.JwksPath, (SigningKey key) => Results.Json(key.Jwks()));
        app.MapServerMetadata();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            foreach (var address in addresses)
            {
                Console.WriteLine($"AuthServer listening on {address} (sessions page: {address}/sessions?user=alice)");
            }

            Console.WriteLine($"AuthServer data directory: {app.Services.GetRequiredService<IOptions<SampleSettings>>().Value.ResolvedDataDirectory}");
        });
        return app;
    }
}
