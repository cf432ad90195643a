namespace RotationEngine.AspNetCore.Hosting;

/// <summary>Configures the hosted service that calls <see cref="RefreshTokenEngine.PruneAsync"/> periodically.</summary>
public sealed class PruningOptions
{
    /// <summary>Whether the pruning service runs. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between two prunes. Default 1 hour; 1 second to 7 days.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Each prune waits a random extra delay from zero to this, so that instances sharing a store do not
    /// prune at the same moment. Default 5 minutes; zero to <see cref="Interval"/>.</summary>
    public TimeSpan Jitter { get; set; } = TimeSpan.FromMinutes(5);
}
