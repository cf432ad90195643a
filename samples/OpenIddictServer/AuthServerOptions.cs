using Microsoft.Extensions.DependencyInjection;
using RotationEngine;

namespace OpenIddictServer;

/// <summary>How to build the sample server.</summary>
public sealed class AuthServerOptions
{
    /// <summary>Who serves the refresh tokens.</summary>
    public RefreshTokenMode Mode { get; set; } = RefreshTokenMode.RotationEngine;

    /// <summary>Where the SQLite files go (OpenIddict's entities, the engine's families).</summary>
    public required string DataDirectory { get; set; }

    /// <summary>The address Kestrel listens on; port 0 picks a free one.</summary>
    public string Url { get; set; } = "http://127.0.0.1:0";

    /// <summary>Whether refresh grants are rebuilt by an <c>IRefreshPrincipalRebuilder</c> (the hook) rather than by the
    /// token endpoint itself, as OpenIddict's samples do.</summary>
    public bool UseRebuilder { get; set; }

    /// <summary>The engine's policy (grace window and so on).</summary>
    public RotationPolicy Policy { get; set; } = RotationPolicy.Default;

    /// <summary>The clock of OpenIddict and the engine (a fake one in tests).</summary>
    public TimeProvider? Clock { get; set; }

    /// <summary>The signing and encryption keys (RSA); default: ephemeral ones. Tests that restart a server on the same
    /// data pass the same keys, so that OpenIddict can still read its own tokens.</summary>
    public Microsoft.IdentityModel.Tokens.SecurityKey? SigningKey { get; set; }

    /// <inheritdoc cref="SigningKey"/>
    public Microsoft.IdentityModel.Tokens.SecurityKey? EncryptionKey { get; set; }

    /// <summary>Whether OpenIddict's SQLite file runs in WAL mode with <c>synchronous=NORMAL</c>, the settings of the
    /// engine's SQLite store (the benchmark gives both designs the same file settings). Default false: EF Core's.</summary>
    public bool WalForOpenIddict { get; set; }

    /// <summary>Whether the server logs to the console.</summary>
    public bool Logging { get; set; }

    /// <summary>Last changes to the services (tests: a broken store, other integration options).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    /// <summary>Last changes to OpenIddict's EF Core context (tests: a command interceptor).</summary>
    public Action<Microsoft.EntityFrameworkCore.DbContextOptionsBuilder>? ConfigureDatabase { get; set; }

    /// <summary>Last changes to the integration's options.</summary>
    public Action<RotationEngine.OpenIddict.OpenIddictServerRotationEngineOptions>? ConfigureIntegration { get; set; }
}
