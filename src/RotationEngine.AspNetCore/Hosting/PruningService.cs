using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RotationEngine.AspNetCore.Internal;
using RotationEngine.Storage;

namespace RotationEngine.AspNetCore.Hosting;

/// <summary>Calls <see cref="RefreshTokenEngine.PruneAsync"/> every <see cref="PruningOptions.Interval"/> (on a
/// <see cref="PeriodicTimer"/> driven by the registered <see cref="TimeProvider"/>), each time after a random delay of up
/// to <see cref="PruningOptions.Jitter"/>. A store fault is logged and retried at the next tick.</summary>
internal sealed class PruningService(RefreshTokenEngine engine, IOptions<PruningOptions> options, TimeProvider time, ILogger<PruningService> logger) : BackgroundService
{
    /// <summary>How many prunes ran (tests).</summary>
    public int Runs => Volatile.Read(ref _runs);

    private int _runs;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(settings.Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (settings.Jitter > TimeSpan.Zero)
                {
                    var delay = TimeSpan.FromTicks(Random.Shared.NextInt64(0, settings.Jitter.Ticks + 1));
                    await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
                }

                try
                {
                    await engine.PruneAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (RotationStoreException exception)
                {
                    Log.PruneFailed(logger, exception);
                }

                Interlocked.Increment(ref _runs);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
    }
}
