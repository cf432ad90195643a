using Simulator.Oracle;

namespace Simulator.Simulation;

/// <summary>What one run produced.</summary>
internal sealed record RunResult(
    RunSpec Spec,
    RunMetrics Metrics,
    ulong HistoryHash,
    long HistoryCount,
    InvariantViolation? Violation,
    TimeSpan Wall,
    IReadOnlyList<HistoryEntry> History,
    int Clients,
    long SimulatedMs)
{
    public string HashText => HistoryHash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    public double RequestsPerSecond => Metrics.ServerRequests / Math.Max(Wall.TotalSeconds, 1e-9);
}
