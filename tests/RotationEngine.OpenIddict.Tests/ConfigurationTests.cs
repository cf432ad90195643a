using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using RotationEngine.OpenIddict.Handlers;
using RotationEngine.OpenIddict.Tests.Infrastructure;

namespace RotationEngine.OpenIddict.Tests;

/// <summary>Start-up checks and registration.</summary>
public sealed class ConfigurationTests
{
    [Fact]
    public async Task Rolling_refresh_tokens_disabled_is_refused_with_a_message()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync(o => o.ConfigureServices = s =>
            s.AddOpenIddict().AddServer(server => server.DisableRollingRefreshTokens())));

        Assert.Contains("DisableRollingRefreshTokens", Flatten(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_integration_options_are_refused_at_start_up()
    {
        var error = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => TestServer.StartAsync(o => o.ConfigureIntegration = i => i.RetryAfter = TimeSpan.FromMilliseconds(1500)));

        Assert.Contains("RetryAfter", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calling_UseRotationEngine_twice_registers_each_handler_once()
    {
        await using var server = await TestServer.StartAsync(o => o.ConfigureServices = s => s.AddOpenIddict().AddServer(server => server.UseRotationEngine()));

        var handlers = server.Services.GetRequiredService<IOptionsMonitor<OpenIddictServerOptions>>().CurrentValue.Handlers;
        foreach (var descriptor in RotationEngineServerHandlers.DefaultHandlers)
        {
            Assert.Single(handlers, h => h.ServiceDescriptor.ServiceType == descriptor.ServiceDescriptor.ServiceType);
        }

        foreach (var replaced in RotationEngineServerHandlers.ReplacedHandlers)
        {
            Assert.DoesNotContain(handlers, h => h.ServiceDescriptor.ServiceType == replaced.ServiceDescriptor.ServiceType);
        }
    }

    [Fact]
    public void Without_an_engine_the_handlers_say_how_to_register_one()
    {
        var services = new ServiceCollection().AddLogging().AddOptions().BuildServiceProvider();
        var factory = GenerateEngineRefreshToken.Descriptor.ServiceDescriptor.ImplementationFactory!;

        var error = Assert.Throws<InvalidOperationException>(() => factory(services));

        Assert.Contains("services.AddRotationEngine", error.Message, StringComparison.Ordinal);
    }

    private static string Flatten(Exception error) => error is AggregateException aggregate
        ? string.Join(" | ", aggregate.Flatten().InnerExceptions.Select(Flatten))
        : error.Message + (error.InnerException is { } inner ? " | " + Flatten(inner) : "");
}
