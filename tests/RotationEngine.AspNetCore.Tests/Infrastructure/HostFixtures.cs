namespace RotationEngine.AspNetCore.Tests.Infrastructure;

/// <summary>One sample server per test class (tests use their own users and families; faults are reset after use).</summary>
public abstract class HostFixture(Transport transport) : IAsyncLifetime
{
    public AuthServerHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await AuthServerHost.StartAsync(transport);

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

public sealed class TestServerFixture() : HostFixture(Transport.TestServer);

public sealed class KestrelFixture() : HostFixture(Transport.Kestrel);
