using System.Collections.Immutable;

namespace RotationEngine.Testing.Model;

/// <summary>What the specification says one presentation of a token answers: an outcome with its cause and the
/// family's generation afterwards, the documented store fault, or a refusal before any store access whose exact
/// cause depends on bytes the model does not see (a flipped character may land in the fingerprint or elsewhere).</summary>
internal sealed record Expectation
{
    private Expectation()
    {
    }

    public RotationOutcome Outcome { get; private init; }

    public ImmutableArray<OutcomeCause> Causes { get; private init; } = [];

    public int Generation { get; private init; }

    /// <summary>The engine must throw <see cref="Storage.RotationStoreException"/>.</summary>
    public bool IsFault { get; private init; }

    /// <summary>Invalid before any store access (invariant 12): the generation is not known.</summary>
    public bool RefusedBeforeStore { get; private init; }

    public static Expectation Fault { get; } = new() { IsFault = true };

    public static Expectation Answer(RotationOutcome outcome, OutcomeCause cause, int generation) =>
        new() { Outcome = outcome, Causes = [cause], Generation = outcome == RotationOutcome.Invalid ? 0 : generation };

    public static Expectation Refused(params OutcomeCause[] causes) =>
        new() { Outcome = RotationOutcome.Invalid, Causes = [.. causes], RefusedBeforeStore = true };

    public OutcomeCause Cause => Causes.IsDefaultOrEmpty ? OutcomeCause.None : Causes[0];

    public bool Succeeded => Outcome is RotationOutcome.Rotated or RotationOutcome.GraceReplay;

    /// <summary>Whether the engine's answer is this one.</summary>
    public bool Matches(RotationResult result) =>
        !IsFault && result.Outcome == Outcome && Causes.Contains(result.Cause) && (Outcome == RotationOutcome.Invalid || result.Generation == Generation);

    public override string ToString() => IsFault ? "store fault"
        : Outcome == RotationOutcome.Invalid ? $"{Outcome} ({string.Join(" or ", Causes)})"
        : $"{Outcome} ({Cause}) gen {Generation}";

    /// <summary>The same text for an answer, for comparing bursts as multisets.</summary>
    public static string Describe(RotationResult result) =>
        result.Outcome == RotationOutcome.Invalid ? $"{result.Outcome} ({result.Cause})" : $"{result.Outcome} ({result.Cause}) gen {result.Generation}";
}
