namespace Simulator.Reports;

/// <summary>The whole comparison: one scenario, one seed, one row per policy. What the JSON file holds.</summary>
internal sealed record ComparisonReport
{
    public required string Scenario { get; init; }

    public required string Description { get; init; }

    public required ulong Seed { get; init; }

    public required string Store { get; init; }

    public required double DurationDays { get; init; }

    public required int Users { get; init; }

    public required string Options { get; init; }

    public required IReadOnlyList<PolicyReport> Policies { get; init; }

    public required double WallSeconds { get; init; }

    public required long ServerRequests { get; init; }

    public double RequestsPerSecond => ServerRequests / Math.Max(WallSeconds, 1e-9);
}
