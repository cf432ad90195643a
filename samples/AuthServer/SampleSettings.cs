namespace AuthServer;

/// <summary>The sample's own settings (configuration section <c>AuthServer</c>); the engine's are under <c>RotationEngine</c>.</summary>
public sealed class SampleSettings
{
    /// <summary>Where the key files and the SQLite database live. Default: the user's local application data folder,
    /// <c>RotationEngine.AuthServer</c>.</summary>
    public string? DataDirectory { get; set; }

    /// <summary><c>sqlite</c> (default), <c>postgres</c> (connection string <c>ConnectionStrings:Postgres</c>),
    /// <c>redis</c> (<c>ConnectionStrings:Redis</c>) or <c>memory</c>.</summary>
    public string Store { get; set; } = "sqlite";

    /// <summary>The SQLite file; default <c>refresh-tokens.db</c> in <see cref="DataDirectory"/>.</summary>
    public string? DatabasePath { get; set; }

    /// <summary>The access tokens' lifetime. Default 5 minutes.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The access tokens' <c>iss</c>.</summary>
    public string Issuer { get; set; } = "https://auth.example.test";

    /// <summary>The access tokens' <c>aud</c>.</summary>
    public string Audience { get; set; } = "api";

    /// <summary>The PEM file of the ES256 signing key; default <c>signing-key.pem</c> in <see cref="DataDirectory"/>,
    /// created on first run.</summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>Requests per second and client address the <c>oauth</c> rate limiter lets through; 0 turns it off.</summary>
    public int RateLimitPerSecond { get; set; } = 200;

    /// <summary>Whether traces and metrics also go to the console (OTLP is used when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set).</summary>
    public bool ConsoleTelemetry { get; set; }

    /// <summary>The data directory, resolved.</summary>
    public string ResolvedDataDirectory => DataDirectory
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "RotationEngine.AuthServer");
}
