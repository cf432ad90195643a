using System.Collections.Immutable;
using RotationEngine.Storage;

namespace RotationEngine.Testing.Harness;

/// <summary>What the engine answered to one step.</summary>
internal sealed record Observation
{
    public ImmutableArray<RotationResult> Results { get; init; } = [];

    public int Count { get; init; }

    /// <summary>The engine threw <see cref="RotationStoreException"/> (the documented fault).</summary>
    public bool Faulted { get; init; }

    /// <summary>Anything else thrown: always a bug.</summary>
    public Exception? Crash { get; init; }

    /// <summary>The step needed a token the client never received (the run diverged from the model earlier).</summary>
    public bool Unreachable { get; init; }

    public string? Forged { get; init; }

    /// <summary>How many store calls the step made (invariant 12).</summary>
    public int StoreCalls { get; init; }
}
