namespace RotationEngine.Testing.Specification;

/// <summary>What the specification says presenting one token answers (docs/semantics.md §5–§6).</summary>
/// <param name="Outcome">The outcome.</param>
/// <param name="Cause">Its cause.</param>
/// <param name="Generation">The family's generation the answer reports: after a rotation the new one; 0 for
/// <see cref="RotationOutcome.Invalid"/>.</param>
/// <param name="Revokes">Whether the answer revokes the family (reuse, or a binding mismatch under a policy that says so).</param>
public readonly record struct SpecifiedAnswer(RotationOutcome Outcome, OutcomeCause Cause, int Generation, bool Revokes)
{
    /// <summary>Whether the client gets a token (<see cref="RotationOutcome.Rotated"/> or <see cref="RotationOutcome.GraceReplay"/>).</summary>
    public bool Succeeded => Outcome is RotationOutcome.Rotated or RotationOutcome.GraceReplay;

    /// <inheritdoc />
    public override string ToString() =>
        Outcome == RotationOutcome.Invalid ? $"{Outcome} ({Cause})" : $"{Outcome} ({Cause}) gen {Generation}{(Revokes ? ", revokes" : "")}";
}
