namespace RotationEngine.Testing;

/// <summary>Names of the invariants for failure messages.</summary>
public static class InvariantNames
{
    /// <summary>"Invariant 3 (ReuseIsDetected)": the form every failure message of the suite uses.</summary>
    public static string Describe(this Invariant invariant) => $"Invariant {(int)invariant} ({invariant})";
}
