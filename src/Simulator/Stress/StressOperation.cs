using RotationEngine;

namespace Simulator.Stress;

/// <summary>One rotation in a stress run, with real-time bounds from one monotonic clock.</summary>
internal readonly record struct StressOperation(
    int Worker,
    int Family,
    int PresentedGeneration,
    long InvokedAt,
    long CompletedAt,
    RotationOutcome Outcome,
    int ResultGeneration)
{
    public bool Succeeded => Outcome is RotationOutcome.Rotated or RotationOutcome.GraceReplay;
}
