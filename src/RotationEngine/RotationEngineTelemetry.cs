namespace RotationEngine;

/// <summary>The names under which the engine publishes its telemetry, for <c>AddMeter</c> and <c>AddSource</c>.</summary>
public static class RotationEngineTelemetry
{
    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/>: <c>rotation_engine.rotations</c> (tagged
    /// <c>outcome</c>) and <c>rotation_engine.rotation.duration</c> (ms).</summary>
    public const string MeterName = "RotationEngine";

    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/>: one <c>rotation_engine.rotate</c> activity per rotation.</summary>
    public const string ActivitySourceName = "RotationEngine";
}
