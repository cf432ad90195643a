using OpenIddictServer;

// dotnet run --project samples/OpenIddictServer [-- openiddict]: serves on http://127.0.0.1:5088 until stopped.
var mode = args is ["openiddict", ..] ? RefreshTokenMode.OpenIddict : RefreshTokenMode.RotationEngine;
var app = AuthServer.Build(new AuthServerOptions
{
    Mode = mode,
    DataDirectory = Path.Combine(Path.GetTempPath(), "openiddict-sample-" + mode),
    Url = "http://127.0.0.1:5088",
    Logging = true,
});
await app.RunAsync();
