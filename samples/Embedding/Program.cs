// The README's embedding example: the engine used directly from a minimal API. (RotationEngine.AspNetCore maps these
// endpoints for you, with client authentication, cookies and DPoP; this is what it does underneath.)
using RotationEngine;
using RotationEngine.Storage;

var builder = WebApplication.CreateBuilder(args);

// region: embedding
// Program.cs: register once; the engine is built and its store opened when the host starts.
builder.Services.AddRotationEngine(o =>
    {
        o.Keys.Add(new KeyOptions { Id = "2026-11", Secret = builder.Configuration["Rotation:Key"]! }); // base64 of ≥ 32 random bytes
        o.ClientPolicies["spa"] = o.DefaultPolicy with { GraceDepth = 2 };                             // per-client rules
    })
    .UseSqliteStore(o => o.DatabasePath = builder.Configuration["Rotation:Database"] ?? "refresh-tokens.db");
    // or .UseInMemoryStore(), .UsePostgresStore("Host=…;Database=auth"), .UseRedisStore("redis:6379,password=…")

var app = builder.Build();

// On sign-in (after your own authentication): start a family.
app.MapPost("/signin", async (SignIn request, RefreshTokenEngine engine, TimeProvider time) =>
{
    IssueResult issued = await engine.IssueAsync(request.User, request.ClientId, binding: null, metadata: "scope=openid offline_access");
    return Results.Ok(new { refresh_token = issued.Token, refresh_token_expires_in = (int)(issued.TokenExpiresAt - time.GetUtcNow()).TotalSeconds });
});

// On grant_type=refresh_token: rotate for the client you authenticated, map every refusal to invalid_grant, and a
// store fault to a retryable 503 (retrying with the same token is safe while grace is on).
app.MapPost("/token", async (HttpContext http, RefreshTokenEngine engine) =>
{
    var form = await http.Request.ReadFormAsync();
    string clientId = form["client_id"].ToString();                                // authenticate the client first
    http.Response.Headers.CacheControl = "no-store";
    try
    {
        RotationResult result = await engine.RotateAsync(form["refresh_token"].ToString(), clientId, binding: null);
        return result.Succeeded
            ? Results.Ok(new { access_token = MintAccessToken(result.Subject!, result.Metadata), token_type = "Bearer", expires_in = 300, refresh_token = result.Token })
            : Results.BadRequest(new { error = result.OAuthError });                  // log result.Cause, never the token
    }
    catch (RotationStoreException)
    {
        http.Response.Headers.RetryAfter = "1";
        return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
    }
});

// Sign-out, "log out everywhere", active sessions, housekeeping.
app.MapPost("/signout", async (HttpContext http, RefreshTokenEngine engine) =>
    await engine.RevokeAsync((await http.Request.ReadFormAsync())["token"].ToString(), reason: RevocationReason.SignOut));
app.MapPost("/users/{user}/signout-everywhere", (string user, RefreshTokenEngine engine) =>
    engine.RevokeSubjectAsync(user, RevocationReason.CredentialsChanged));
app.MapGet("/users/{user}/sessions", (string user, RefreshTokenEngine engine) => engine.ListFamiliesAsync(user));
app.MapDelete("/sessions/{id}", (FamilyId id, RefreshTokenEngine engine) => engine.RevokeFamilyAsync(id, RevocationReason.SignOut));
app.MapPost("/admin/prune", (RefreshTokenEngine engine) => engine.PruneAsync());                 // or from a periodic job
// endregion

app.Run();

static string MintAccessToken(string subject, string? scopes) => $"access-token-for-{subject}";

internal sealed record SignIn(string User, string ClientId);
