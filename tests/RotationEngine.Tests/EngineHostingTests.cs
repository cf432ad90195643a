using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RotationEngine.Events;
using RotationEngine.Keys;
using RotationEngine.Storage;
using RotationEngine.Testing;
using RotationEngine.Testing.Faults;

namespace RotationEngine.Tests;

public sealed class EngineHostingTests
{
    [Fact]
    public async Task DI_registration_resolves_a_working_engine_with_the_hosts_clock_and_observers()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time);
        services.AddRotationEngine(o =>
            {
                o.Keys.Add(new KeyOptions { Id = "k1", Secret = Convert.ToBase64String(new byte[32]) });
                o.DefaultPolicy = o.DefaultPolicy with { GraceWindow = TimeSpan.Zero };
            })
            .UseInMemoryStore()
            .AddObserver<RecordingObserver>();
        services.AddRotationEngine();
        using var provider = services.BuildServiceProvider();

        var engine = provider.GetRequiredService<RefreshTokenEngine>();
        Assert.Same(engine, provider.GetRequiredService<RefreshTokenEngine>());
        Assert.Single(services, d => d.ServiceType == typeof(RefreshTokenEngine));

        var issued = await engine.IssueAsync("alice", "web");
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromDays(14), issued.TokenExpiresAt);
        Assert.Equal("k1", provider.GetRequiredService<IKeyRing>().CurrentKey.Id);
        await engine.RotateAsync(issued.Token, "web");
        Assert.Equal(RotationOutcome.ReuseDetected, (await engine.RotateAsync(issued.Token, "web")).Outcome);

        var observer = Assert.IsType<RecordingObserver>(provider.GetRequiredService<IRotationEventObserver>());
        Assert.Contains(observer.Events, e => e.Kind == RotationEventKind.ReuseDetected);
    }

    [Fact]
    public void Missing_store_is_a_clear_error()
    {
        using var provider = new ServiceCollection().AddRotationEngine().Services.BuildServiceProvider();
        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<RefreshTokenEngine>());
        Assert.Contains("UseInMemoryStore", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_keys_an_ephemeral_key_is_used_only_when_allowed_and_a_warning_logged()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var store = new InMemoryFamilyStore();

        var refused = Assert.Throws<InvalidOperationException>(() => new RefreshTokenEngine(store, new RotationEngineOptions(), loggerFactory: factory));
        Assert.Contains("RotationEngineOptions.Keys", refused.Message, StringComparison.Ordinal);
        Assert.Contains("AllowEphemeralKey", refused.Message, StringComparison.Ordinal);

        var engine = new RefreshTokenEngine(store, new RotationEngineOptions { AllowEphemeralKey = true }, loggerFactory: factory);
        var warning = Assert.Single(logs.Entries, e => e.EventId.Id == 2001);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("will not survive a restart", warning.Message, StringComparison.Ordinal);
        Assert.Matches(@"ephemeral-[0-9a-f]{16}", warning.Message);
        var issued = await engine.IssueAsync("alice", "web");
        Assert.Equal(RotationOutcome.Rotated, (await engine.RotateAsync(issued.Token, "web")).Outcome);
    }

    [Fact]
    public async Task Two_ephemeral_keys_never_accept_each_others_tokens()
    {
        // Two instances (or a restart) on one store: each has its own random key id and fingerprint, so an old token of
        // the other's family is Invalid (UnknownKey) before the store, never half-checked.
        var store = new InMemoryFamilyStore();
        var first = new RefreshTokenEngine(store, new RotationEngineOptions { AllowEphemeralKey = true });
        var second = new RefreshTokenEngine(store, new RotationEngineOptions { AllowEphemeralKey = true });
        var issued = await first.IssueAsync("alice", "web");
        var current = (await first.RotateAsync(issued.Token, "web")).Token!;
        current = (await first.RotateAsync(current, "web")).Token!;

        foreach (var token in new[] { issued.Token, current })
        {
            var answer = await second.RotateAsync(token, "web");
            Assert.Equal((RotationOutcome.Invalid, OutcomeCause.UnknownKey), (answer.Outcome, answer.Cause));
        }

        Assert.Equal(RotationOutcome.ReuseDetected, (await first.RotateAsync(issued.Token, "web")).Outcome);
    }

    [Theory]
    [InlineData("Development", true)]
    [InlineData("Production", false)]
    [InlineData("Staging", false)]
    public void DI_uses_an_ephemeral_key_only_in_Development(string environment, bool allowed)
    {
        var services = new ServiceCollection();
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostEnvironment>(new FakeEnvironment(environment));
        services.AddRotationEngine().UseInMemoryStore();
        using var provider = services.BuildServiceProvider();

        if (allowed)
        {
            Assert.StartsWith("ephemeral-", provider.GetRequiredService<RefreshTokenEngine>() is not null ? provider.GetRequiredService<IKeyRing>().CurrentKey.Id : "", StringComparison.Ordinal);
        }
        else
        {
            var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<RefreshTokenEngine>());
            Assert.Contains("No server keys are configured", error.Message, StringComparison.Ordinal);
        }
    }

    private sealed class FakeEnvironment(string name) : Microsoft.Extensions.Hosting.IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "tests";

        public string ContentRootPath { get; set; } = "/";

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }

    [Fact]
    public async Task Store_faults_surface_as_outcome_unknown_without_secrets()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var store = new FaultInjectingFamilyStore(new InMemoryFamilyStore());
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions(), TestKeys.Ring, loggerFactory: factory);
        var issued = await engine.IssueAsync("alice", "web");
        store.IsDown = true;

        var error = await Assert.ThrowsAsync<RotationStoreException>(async () => await engine.RotateAsync(issued.Token, "web"));

        Assert.Contains("outcome is unknown", error.Message, StringComparison.Ordinal);
        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.DoesNotContain(issued.Token, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(issued.Token, logs.AllText, StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.EventId.Id == 2003);
        await Assert.ThrowsAsync<RotationStoreException>(async () => await engine.IssueAsync("bob", "web"));
        await Assert.ThrowsAsync<RotationStoreException>(async () => await engine.ListFamiliesAsync("alice"));

        // A retry after the fault is answered normally.
        store.IsDown = false;
        Assert.Equal(RotationOutcome.Rotated, (await engine.RotateAsync(issued.Token, "web")).Outcome);
    }

    [Fact]
    public async Task A_throwing_observer_never_changes_an_outcome()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var recorder = new RecordingObserver();
        var options = new RotationEngineOptions { DefaultPolicy = RotationPolicy.Default with { GraceWindow = TimeSpan.Zero } };
        var engine = new RefreshTokenEngine(new InMemoryFamilyStore(), options, TestKeys.Ring, loggerFactory: factory, observers: [new ThrowingObserver(), recorder]);
        var issued = await engine.IssueAsync("alice", "web");
        await engine.RotateAsync(issued.Token, "web");

        Assert.Equal(RotationOutcome.ReuseDetected, (await engine.RotateAsync(issued.Token, "web")).Outcome);
        Assert.Contains(logs.Entries, e => e.EventId.Id == 2002);
        Assert.Single(recorder.Events);
    }

    [Fact]
    public async Task Rotations_are_counted_by_outcome_on_the_RotationEngine_meter()
    {
        var outcomes = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "RotationEngine" && instrument.Name == "rotation_engine.rotations")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome")
                {
                    lock (outcomes)
                    {
                        outcomes.Add((string)tag.Value!);
                    }
                }
            }
        });
        listener.Start();
        var engine = new RefreshTokenEngine(new InMemoryFamilyStore(), new RotationEngineOptions(), TestKeys.Ring);
        var issued = await engine.IssueAsync("meter-test", "web");

        await engine.RotateAsync(issued.Token, "web");
        await engine.RotateAsync(issued.Token, "web");
        await engine.RotateAsync("garbage", "web");

        lock (outcomes)
        {
            Assert.Contains("Rotated", outcomes);
            Assert.Contains("GraceReplay", outcomes);
            Assert.Contains("Invalid", outcomes);
        }
    }

    [Fact]
    public void Default_result_is_a_safe_failure()
    {
        var result = default(RotationResult);
        Assert.Equal(RotationOutcome.Invalid, result.Outcome);
        Assert.False(result.Succeeded);
        Assert.Null(result.Token);
        Assert.Equal("invalid_grant", result.OAuthError);
    }

    private sealed class ThrowingObserver : IRotationEventObserver
    {
        public void OnEvent(RotationEvent rotationEvent) => throw new InvalidOperationException("observer bug");
    }
}

public sealed class InputValidationTests
{
    [Theory]
    [InlineData("sub\0ject", "web", null, null)]
    [InlineData("alice", "w\0b", null, null)]
    [InlineData("alice", "web", "jkt\0", null)]
    [InlineData("alice", "web", null, "scope=\0")]
    public async Task NUL_characters_are_argument_errors_on_every_store(string subject, string client, string? binding, string? metadata)
    {
        var store = new InMemoryFamilyStore();
        var engine = new RefreshTokenEngine(store, new RotationEngineOptions(), TestKeys.Ring);

        await Assert.ThrowsAsync<ArgumentException>(async () => await engine.IssueAsync(subject, client, binding, metadata));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task Subject_operations_refuse_NUL_as_argument_errors()
    {
        var engine = new RefreshTokenEngine(new InMemoryFamilyStore(), new RotationEngineOptions(), TestKeys.Ring);
        await Assert.ThrowsAsync<ArgumentException>(async () => await engine.ListFamiliesAsync("a\0"));
        await Assert.ThrowsAsync<ArgumentException>(async () => await engine.RevokeSubjectAsync("a\0", RevocationReason.SignOut));
    }
}
