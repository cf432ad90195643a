using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using RotationEngine.AspNetCore.Tests.Infrastructure;

namespace RotationEngine.AspNetCore.Tests;

/// <summary>The sample's OpenTelemetry wiring picks up the engine's meter and activity source (by the names the core
/// publishes) next to ASP.NET Core's own instrumentation.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task A_refresh_shows_up_in_the_samples_metrics_and_traces()
    {
        var metrics = new List<Metric>();
        var activities = new List<Activity>();
        await using var host = await AuthServerHost.StartAsync(Transport.TestServer, services: services =>
        {
            services.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(metrics));
            services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(activities));
        });
        var token = await host.SignInTokenAsync("telemetry");
        Assert.False((await host.RefreshAsync(token)).IsError);

        host.Services.GetRequiredService<MeterProvider>().ForceFlush();
        host.Services.GetRequiredService<TracerProvider>().ForceFlush();
        Assert.Contains(metrics, m => m.MeterName == RotationEngineTelemetry.MeterName && m.Name == "rotation_engine.rotations");
        Assert.Contains(metrics, m => m.Name == "http.server.request.duration");
        lock (activities)
        {
            Assert.Contains(activities, a => a.Source.Name == RotationEngineTelemetry.ActivitySourceName);
        }
    }
}
