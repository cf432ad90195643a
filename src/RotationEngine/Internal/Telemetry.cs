using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RotationEngine.Internal;

/// <summary>The engine's <see cref="Meter"/> and <see cref="ActivitySource"/>, both named <c>RotationEngine</c>.
/// Tags carry the outcome only: no family ids (cardinality) and never a token.</summary>
internal static class Telemetry
{
    public const string Name = RotationEngineTelemetry.MeterName;
    public static readonly ActivitySource Source = new(RotationEngineTelemetry.ActivitySourceName);
    private static readonly Meter Meter = new(Name);

    private static readonly Counter<long> Operations = Meter.CreateCounter<long>(
        "rotation_engine.rotations", unit: "{rotation}", description: "Rotations by outcome.");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "rotation_engine.rotation.duration", unit: "ms", description: "Time to answer a rotation, store included.");

    private static readonly KeyValuePair<string, object?>[] OutcomeTags =
        Enum.GetValues<RotationOutcome>().Select(o => new KeyValuePair<string, object?>("outcome", o.ToString())).ToArray();

    private static readonly KeyValuePair<string, object?> FaultTag = new("outcome", "StoreFault");

    /// <summary>Whether anything listens to the rotation metrics: when nothing does, the engine skips timing.</summary>
    public static bool MetricsEnabled => Operations.Enabled || Duration.Enabled;

    public static void Record(RotationOutcome outcome, TimeSpan elapsed)
    {
        var tag = OutcomeTags[(int)outcome];
        Operations.Add(1, tag);
        Duration.Record(elapsed.TotalMilliseconds, tag);
    }

    public static void RecordFault(TimeSpan elapsed)
    {
        Operations.Add(1, FaultTag);
        Duration.Record(elapsed.TotalMilliseconds, FaultTag);
    }
}
