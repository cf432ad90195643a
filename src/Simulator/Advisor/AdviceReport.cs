namespace Simulator.Advisor;

/// <summary>What <c>advise</c> found: every grid point, the front, the recommendations and how to replay it.</summary>
internal sealed record AdviceReport(
    string Scenario,
    int Users,
    double DurationDays,
    ulong Seed,
    double MaxFalseLogoutsPer1000UserDays,
    IReadOnlyList<TradeOffPoint> Points,
    IReadOnlyList<TradeOffPoint> Front,
    TradeOffPoint? Recommended,
    TradeOffPoint? RecommendedUnbound,
    string Replay,
    double WallSeconds);
