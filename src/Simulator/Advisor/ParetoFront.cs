using Simulator.Reports;

namespace Simulator.Advisor;

/// <summary>One policy's place in the trade-off: lower is better on all three axes.</summary>
internal sealed record TradeOffPoint(string Policy, string Settings, double GraceWindowSeconds, int GraceDepth, int? GraceMaxReplays, bool Binding,
    double FalseLogoutsPer1000UserDays, double ThiefAccessMinutesPerTheft, double? DetectionDelayMedianSeconds)
{
    /// <summary>No detection at all counts as an infinite delay.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double Delay => DetectionDelayMedianSeconds ?? double.PositiveInfinity;

    /// <summary>At least as good on every axis and better on one.</summary>
    public bool Dominates(TradeOffPoint other) =>
        FalseLogoutsPer1000UserDays <= other.FalseLogoutsPer1000UserDays
        && ThiefAccessMinutesPerTheft <= other.ThiefAccessMinutesPerTheft
        && Delay <= other.Delay
        && (FalseLogoutsPer1000UserDays < other.FalseLogoutsPer1000UserDays || ThiefAccessMinutesPerTheft < other.ThiefAccessMinutesPerTheft || Delay < other.Delay);
}

/// <summary>The Pareto front of false logouts per 1,000 user-days against thief access per theft and detection delay,
/// and the recommendation: the smallest grace window whose false-logout rate meets the target.</summary>
internal static class ParetoFront
{
    public static TradeOffPoint Point(PolicyReport report, Scenarios.PolicySettings policy) => new(
        report.Policy, report.Settings, policy.GraceWindowSeconds, policy.GraceDepth, policy.GraceMaxReplays, policy.Binding,
        report.FalseLogoutsPer1000UserDays, report.AttackerAccessMinutesPerTheft, report.DetectionDelayMedianSeconds);

    /// <summary>The points no other point dominates, ordered by false logouts, then thief access, then name (a total
    /// order: the same runs give the same front).</summary>
    public static List<TradeOffPoint> Of(IReadOnlyList<TradeOffPoint> points) =>
        points.Where(p => !points.Any(q => q.Dominates(p)))
            .OrderBy(p => p.FalseLogoutsPer1000UserDays).ThenBy(p => p.ThiefAccessMinutesPerTheft).ThenBy(p => p.Delay).ThenBy(p => p.Policy, StringComparer.Ordinal)
            .ToList();

    /// <summary>The smallest grace window meeting <paramref name="maxFalseLogouts"/>; among those, the least thief access,
    /// the quickest detection, then the shallowest depth, the fewest replays and binding (only bound or only unbound
    /// policies when <c>binding</c> is given). Null when none meets it.</summary>
    public static TradeOffPoint? Recommend(IReadOnlyList<TradeOffPoint> points, double maxFalseLogouts, bool? binding = null) =>
        points.Where(p => p.FalseLogoutsPer1000UserDays <= maxFalseLogouts && (binding is null || p.Binding == binding))
            .OrderBy(p => p.GraceWindowSeconds)
            .ThenBy(p => p.ThiefAccessMinutesPerTheft)
            .ThenBy(p => p.Delay)
            .ThenBy(p => p.GraceDepth)
            .ThenBy(p => p.GraceMaxReplays ?? int.MaxValue)
            .ThenBy(p => p.Binding ? 0 : 1)
            .ThenBy(p => p.Policy, StringComparer.Ordinal)
            .FirstOrDefault();
}
