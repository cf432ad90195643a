namespace Simulator.Simulation;

/// <summary>Counts per simulated hour, for the report's time series (grows with the run's duration, not its traffic).</summary>
internal sealed class HourlySeries
{
    private const long Hour = 3_600_000;

    public List<int> Refreshes { get; } = [];

    public List<int> GraceReplays { get; } = [];

    public List<int> Logouts { get; } = [];

    public List<int> Detections { get; } = [];

    public void Add(List<int> series, long timeMs)
    {
        var hour = (int)(timeMs / Hour);
        while (Refreshes.Count <= hour)
        {
            Refreshes.Add(0);
            GraceReplays.Add(0);
            Logouts.Add(0);
            Detections.Add(0);
        }

        series[hour]++;
    }
}
