using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RotationEngine.DependencyInjection;
using RotationEngine.Storage;

namespace RotationEngine.Tests;

/// <summary>
/// What <c>AddRotationEngine</c> does when the host starts: it builds the engine (so a configuration error stops the
/// start) and runs the store's <see cref="IFamilyStoreInitializer"/>. The tests start the registered hosted services as
/// a host does, in registration order.
/// </summary>
public sealed class HostStartupTests
{
    [Fact]
    public async Task Starting_the_host_builds_the_engine_so_a_missing_key_stops_the_start()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IHostEnvironment>(new ProductionEnvironment());
        services.AddRotationEngine().UseInMemoryStore();
        services.AddRotationEngine();
        using var provider = services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(provider, CancellationToken.None));

        Assert.Contains("No server keys are configured", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Starting_the_host_initializes_the_store_once_with_the_hosts_token()
    {
        var store = new InitializingStore(_ => ValueTask.CompletedTask);
        using var provider = ProviderWith(store);
        using var stopping = new CancellationTokenSource();

        await StartAsync(provider, stopping.Token);

        Assert.Equal([stopping.Token], store.Initializations);
    }

    [Fact]
    public async Task A_store_that_cannot_be_initialized_stops_the_start_with_its_message()
    {
        var store = new InitializingStore(_ => ValueTask.FromException(new RotationStoreException("The schema is from a newer version.")));
        using var provider = ProviderWith(store);

        var error = await Assert.ThrowsAsync<RotationStoreException>(() => StartAsync(provider, CancellationToken.None));

        Assert.Equal("The schema is from a newer version.", error.Message);
    }

    [Fact]
    public async Task The_start_does_not_resume_on_the_hosts_synchronization_context()
    {
        // A host that blocks on StartAsync under a single-threaded context (a UI or a legacy ASP.NET host) would deadlock
        // if the start needed that context back after the store's initialization.
        var initialized = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = new InitializingStore(_ => new ValueTask(initialized.Task));
        using var provider = ProviderWith(store);
        var startup = Assert.Single(provider.GetServices<IHostedService>());
        var context = new CountingContext();

        var previous = SynchronizationContext.Current;
        Task start;
        SynchronizationContext.SetSynchronizationContext(context);
        try
        {
            start = startup.StartAsync(CancellationToken.None);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        Assert.False(start.IsCompleted);
        initialized.SetResult();
        await start;
        Assert.Equal(0, context.Posts);
    }

    [Fact]
    public void A_null_service_collection_is_an_argument_error_naming_it() =>
        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddRotationEngine()).ParamName);

    [Fact]
    public void A_null_store_factory_is_an_argument_error_naming_it()
    {
        var builder = new ServiceCollection().AddRotationEngine();

        Assert.Equal("factory", Assert.Throws<ArgumentNullException>(() => builder.UseStore(null!)).ParamName);
    }

    private static ServiceProvider ProviderWith(IFamilyStore store)
    {
        var services = new ServiceCollection();
        services.AddRotationEngine(o => o.Keys.Add(new KeyOptions { Id = "k1", Secret = Convert.ToBase64String(new byte[32]) }))
            .UseStore(_ => store);
        return services.BuildServiceProvider();
    }

    private static async Task StartAsync(IServiceProvider provider, CancellationToken cancellationToken)
    {
        foreach (var service in provider.GetServices<IHostedService>())
        {
            await service.StartAsync(cancellationToken);
        }
    }

    private sealed class ProductionEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Production;

        public string ApplicationName { get; set; } = "tests";

        public string ContentRootPath { get; set; } = "/";

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }

    /// <summary>Runs every posted continuation on the thread pool, counting them.</summary>
    private sealed class CountingContext : SynchronizationContext
    {
        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            ThreadPool.QueueUserWorkItem(_ => d(state));
        }
    }

    /// <summary>The in-memory store with an initialization step that records the token it was given.</summary>
    private sealed class InitializingStore(Func<CancellationToken, ValueTask> initialize) : IFamilyStore, IFamilyStoreInitializer
    {
        private readonly InMemoryFamilyStore _inner = new();

        public List<CancellationToken> Initializations { get; } = [];

        public ValueTask InitializeAsync(CancellationToken cancellationToken = default)
        {
            Initializations.Add(cancellationToken);
            return initialize(cancellationToken);
        }

        public ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default) => _inner.CreateAsync(family, cancellationToken);

        public ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default) =>
            _inner.TryRotateAsync(command, cancellationToken);

        public ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default) => _inner.FindAsync(id, cancellationToken);

        public ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default) =>
            _inner.TryRecordReplayAsync(id, generation, expectedLedger, newLedger, cancellationToken);

        public ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default) =>
            _inner.TryRevokeAsync(id, reason, now, cancellationToken);

        public ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default) =>
            _inner.RevokeSubjectAsync(subject, reason, now, cancellationToken);

        public ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default) =>
            _inner.ListActiveAsync(subject, now, cancellationToken);

        public ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default) =>
            _inner.PruneAsync(cutoff, batchSize, cancellationToken);
    }
}
