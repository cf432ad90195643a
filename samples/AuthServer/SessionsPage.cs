using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using RotationEngine;
using RotationEngine.Storage;

namespace AuthServer;

/// <summary>
/// A user's active sessions (their live families), server-rendered: list them, revoke one, sign out everywhere.
/// <c>GET /sessions?user=alice</c> (HTML), <c>GET /sessions.json?user=alice</c>, <c>POST /sessions/revoke</c>
/// (<c>user</c>, <c>family</c>), <c>POST /sessions/signout-everywhere</c> (<c>user</c>). The sample has no real
/// sign-in, so the user is a parameter; a real server takes it from its own authentication and protects these
/// forms against CSRF.
/// </summary>
public static class SessionsPage
{
    /// <summary>Maps the pages.</summary>
    public static IEndpointRouteBuilder MapSessions(this IEndpointRouteBuilder app)
    {
        app.MapGet("/sessions.json", async (string user, RefreshTokenEngine engine) =>
            Results.Ok(await engine.ListFamiliesAsync(user)));
        app.MapGet("/sessions", async (string? user, RefreshTokenEngine engine, TimeProvider time) =>
        {
            user ??= "alice";
            var sessions = await engine.ListFamiliesAsync(user);
            return Results.Content(Render(user, sessions, time.GetUtcNow()), "text/html; charset=utf-8");
        });
        app.MapPost("/sessions/revoke", async (HttpContext http, RefreshTokenEngine engine) =>
        {
            var form = await http.Request.ReadFormAsync();
            var user = form["user"].ToString();
            if (!FamilyId.TryParse(form["family"].ToString(), out var id) || await engine.GetFamilyAsync(id) is not { } family || family.Subject != user)
            {
                return Results.NotFound();
            }

            await engine.RevokeFamilyAsync(id, RevocationReason.SignOut);
            return Results.Redirect("/sessions?user=" + Uri.EscapeDataString(user), permanent: false);
        });
        app.MapPost("/sessions/signout-everywhere", async (HttpContext http, RefreshTokenEngine engine) =>
        {
            var user = (await http.Request.ReadFormAsync())["user"].ToString();
            if (user.Length == 0)
            {
                return Results.BadRequest();
            }

            await engine.RevokeSubjectAsync(user, RevocationReason.SignOut);
            return Results.Redirect("/sessions?user=" + Uri.EscapeDataString(user), permanent: false);
        });
        return app;
    }

    private const string Style = "body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}";

    private static string Render(string user, IReadOnlyList<FamilyInfo> sessions, DateTimeOffset now)
    {
        var html = HtmlEncoder.Default;
        var u = html.Encode(user);
        var page = new StringBuilder();
        page.Append(CultureInfo.InvariantCulture, $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Sessions of {u}</title>
            <style>{Style}</style></head>
            <body><h1>Active sessions of {u}</h1>
            <p>{sessions.Count} active session(s). Each is one refresh-token family (one sign-in on one client).</p>
            <table><thead><tr><th>client</th><th>signed in</th><th>last refresh</th><th>refreshes</th><th>expires</th><th>scope</th><th></th></tr></thead><tbody>
            """);
        foreach (var s in sessions)
        {
            page.Append(CultureInfo.InvariantCulture, $"""
                <tr><td>{html.Encode(s.ClientId)}</td><td>{s.CreatedAt:u}</td><td>{s.LastRotatedAt:u}</td><td>{s.Generation}</td><td>{s.TokenExpiresAt:u}</td><td>{html.Encode(s.Metadata ?? "")}</td>
                <td><form method="post" action="/sessions/revoke"><input type="hidden" name="user" value="{u}"><input type="hidden" name="family" value="{s.Id}"><button>Revoke</button></form></td></tr>
                """);
        }

        page.Append(CultureInfo.InvariantCulture, $"""
            </tbody></table>
            <form method="post" action="/sessions/signout-everywhere"><input type="hidden" name="user" value="{u}"><button>Sign out everywhere</button></form>
            <p><small>Rendered {now:u}.</small></p></body></html>
            """);
        return page.ToString();
    }
}
