using AuthServer;

// dotnet run --project samples/AuthServer: serves on http://127.0.0.1:5089 (appsettings.json "Urls"; "--urls
// http://127.0.0.1:0" picks a free port) and prints the address. Configuration: appsettings.json and docs/aspnetcore.md.
var builder = WebApplication.CreateBuilder(args);
builder.AddAuthServer();          // engine + store, clients, endpoints, JWT access tokens, pruning, health, rate limit, OpenTelemetry
builder.Services.AddRefreshCookies(builder.Configuration.GetSection("RotationEngine:Cookies"), o => o.RateLimiterPolicy ??= AuthServerSetup.RateLimiterPolicy); // cookie mode

var app = builder.Build();
app.MapAuthServer();              // /oauth/token, /oauth/revoke, /signin, /sessions, /health, /.well-known/jwks.json and oauth-authorization-server
app.UseDefaultFiles().UseStaticFiles(); app.MapRefreshCookieEndpoints().MapCookieSignIn(); // wwwroot/index.html; POST /cookie/signin, /cookie/refresh, /cookie/signout

await app.RunAsync();

/// <summary>The entry point, visible to <c>WebApplicationFactory&lt;Program&gt;</c> in the tests.</summary>
public partial class Program;
