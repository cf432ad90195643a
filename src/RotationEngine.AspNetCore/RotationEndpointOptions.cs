namespace RotationEngine.AspNetCore;

/// <summary>Configures the endpoints <c>MapRotationEndpoints</c> maps. Validated at start-up.</summary>
public sealed class RotationEndpointOptions
{
    /// <summary>The token endpoint's path (RFC 6749 §3.2): <c>grant_type=refresh_token</c> only. Default <c>/oauth/token</c>.</summary>
    public string TokenPath { get; set; } = "/oauth/token";

    /// <summary>The revocation endpoint's path (RFC 7009 §2). Default <c>/oauth/revoke</c>.</summary>
    public string RevocationPath { get; set; } = "/oauth/revoke";

    /// <summary>The realm in the <c>WWW-Authenticate: Basic realm="…"</c> header of a 401 <c>invalid_client</c>
    /// answer. Default <c>RotationEngine</c>; printable ASCII without <c>"</c> or <c>\</c>, 1 to 64 characters.</summary>
    public string Realm { get; set; } = "RotationEngine";

    /// <summary>The largest request body read, in bytes; a larger form is answered <c>invalid_request</c> without
    /// reading it. Default 8,192 (a refresh request is about 200 bytes); 256 to 1,048,576.</summary>
    public int MaxFormBytes { get; set; } = DefaultMaxFormBytes;

    /// <summary>The default of <see cref="MaxFormBytes"/>.</summary>
    public const int DefaultMaxFormBytes = 8 * 1024;

    /// <summary>The <c>Retry-After</c> of a 503 answer to a store fault. Default 1 second; whole seconds from 1 s to 1 h.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The name of an ASP.NET Core rate-limiter policy (<c>AddRateLimiter(o =&gt; o.AddPolicy(name, …))</c>)
    /// applied to every mapped endpoint, or null for none. The host must also call <c>UseRateLimiter()</c>.</summary>
    public string? RateLimiterPolicy { get; set; }
}
