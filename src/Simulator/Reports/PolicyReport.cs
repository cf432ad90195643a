using RotationEngine;
using Simulator.Simulation;

namespace Simulator.Reports;

/// <summary>The comparison row of one policy: what it cost honest users and what it left to thieves.</summary>
internal sealed record PolicyReport
{
    public required string Policy { get; init; }

    public required string Settings { get; init; }

    public required string HistoryHash { get; init; }

    public required long HonestRefreshes { get; init; }

    public required long HonestOk { get; init; }

    public required long HonestFailed { get; init; }

    public required long HonestUnknown { get; init; }

    /// <summary>Ok answers among the honest refreshes that got an answer.</summary>
    public required double SuccessRate { get; init; }

    public required double UserDays { get; init; }

    public required long FalseLogouts { get; init; }

    public required double FalseLogoutsPer1000UserDays { get; init; }

    public required long TheftLogouts { get; init; }

    public required long ExpiryLogouts { get; init; }

    public required long Thefts { get; init; }

    public required long TheftsUsed { get; init; }

    public required long TheftsDetected { get; init; }

    public required double? DetectionDelayMedianSeconds { get; init; }

    public required double? DetectionDelayP95Seconds { get; init; }

    public required double AttackerAccessHours { get; init; }

    public required double AttackerAccessMinutesPerTheft { get; init; }

    public required long GraceReplays { get; init; }

    public required long ReuseDetections { get; init; }

    public required long ForgedAttempts { get; init; }

    /// <summary>Store calls made for forged strings: zero, since the tag is checked first (invariant 12).</summary>
    public required long ForgedStoreCalls { get; init; }

    public required long StoreOperations { get; init; }

    public required long ServerRequests { get; init; }

    public required long SignIns { get; init; }

    public required long Restarts { get; init; }

    public required IReadOnlyDictionary<string, long> Outcomes { get; init; }

    public required IReadOnlyDictionary<string, long> Causes { get; init; }

    /// <summary>Rare paths this run never took: a clean run that never exercised them proves little about them.</summary>
    public required IReadOnlyList<string> NeverExercised { get; init; }

    public required double WallSeconds { get; init; }

    public required double RequestsPerSecond { get; init; }

    public string? Violation { get; init; }

    /// <summary>Successful answers older than the token the client held (a cookie jar's rollbacks).</summary>
    public long CookieRollbacks { get; init; }

    /// <summary>Per simulated hour: honest refreshes, grace replays, logouts and theft detections.</summary>
    public Simulation.HourlySeries? Hourly { get; init; }

    /// <summary>The rare paths the oracle counts.</summary>
    public static readonly RotationOutcome[] RarePaths = [RotationOutcome.GraceReplay, RotationOutcome.ReuseDetected, RotationOutcome.Expired, RotationOutcome.BindingMismatch];

    public static PolicyReport From(RunResult run)
    {
        var m = run.Metrics;
        var users = run.Spec.Filter.OnlyUsers?.Count ?? run.Spec.Scenario.Population.Users;
        var userDays = run.Spec.TrafficFile is null ? users * (run.SimulatedMs / 86_400_000.0) : m.TrafficUserDays;
        var answered = m.HonestOk + m.HonestFailed;
        var delays = m.DetectionDelaysMs.Order().ToArray();
        var outcomes = Enum.GetValues<RotationOutcome>().ToDictionary(o => o.ToString(), o => m.Outcomes[(int)o]);
        var causes = Enum.GetValues<OutcomeCause>().Where(c => m.Causes[(int)c] > 0).ToDictionary(c => c.ToString(), c => m.Causes[(int)c]);
        return new PolicyReport
        {
            Policy = run.Spec.Policy.Name,
            Settings = run.Spec.Policy.Describe(),
            HistoryHash = run.HashText,
            HonestRefreshes = m.HonestRefreshes,
            HonestOk = m.HonestOk,
            HonestFailed = m.HonestFailed,
            HonestUnknown = m.HonestUnknown,
            SuccessRate = answered == 0 ? 1 : (double)m.HonestOk / answered,
            UserDays = userDays,
            FalseLogouts = m.FalseLogouts,
            FalseLogoutsPer1000UserDays = userDays == 0 ? 0 : m.FalseLogouts * 1000.0 / userDays,
            TheftLogouts = m.TheftLogouts,
            ExpiryLogouts = m.ExpiryLogouts,
            Thefts = m.Thefts,
            TheftsUsed = m.TheftsUsed,
            TheftsDetected = m.TheftsDetected,
            DetectionDelayMedianSeconds = Percentile(delays, 0.50),
            DetectionDelayP95Seconds = Percentile(delays, 0.95),
            AttackerAccessHours = m.AttackerAccessMs / 3_600_000.0,
            AttackerAccessMinutesPerTheft = m.Thefts == 0 ? 0 : m.AttackerAccessMs / 60_000.0 / m.Thefts,
            GraceReplays = m.GraceReplays,
            ReuseDetections = m.Outcomes[(int)RotationOutcome.ReuseDetected],
            ForgedAttempts = m.ForgedAttempts,
            ForgedStoreCalls = m.ForgedStoreCalls,
            StoreOperations = m.StoreOperations,
            ServerRequests = m.ServerRequests,
            SignIns = m.SignIns,
            Restarts = m.Restarts,
            Outcomes = outcomes,
            Causes = causes,
            NeverExercised = RarePaths.Where(p => m.Outcomes[(int)p] == 0).Select(p => p.ToString()).ToList(),
            WallSeconds = run.Wall.TotalSeconds,
            RequestsPerSecond = run.RequestsPerSecond,
            Violation = run.Violation?.ToString(),
            Hourly = m.Hourly,
            CookieRollbacks = m.CookieRollbacks,
        };
    }

    /// <summary>Nearest-rank percentile in seconds, or null when there is no sample.</summary>
    public static double? Percentile(long[] sortedMs, double p)
    {
        if (sortedMs.Length == 0)
        {
            return null;
        }

        var rank = (int)Math.Ceiling(p * sortedMs.Length);
        return sortedMs[Math.Clamp(rank, 1, sortedMs.Length) - 1] / 1000.0;
    }
}
