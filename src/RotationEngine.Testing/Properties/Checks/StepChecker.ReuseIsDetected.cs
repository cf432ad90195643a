using System.Collections.Immutable;
using RotationEngine.Storage;
using RotationEngine.Testing.Harness;
using RotationEngine.Testing.Model;

namespace RotationEngine.Testing.Checks;

/// <summary>Invariant 3 (docs/semantics.md §7): <see cref="Invariant.ReuseIsDetected"/>.</summary>
internal sealed partial class StepChecker
{
    private static void CheckReuse(EngineHarness harness, Step step, ImmutableArray<RotationResult> results, ModelFamily? family, Action<Invariant, string> fail)
    {
        if (step.Kind is not (StepKind.Rotate or StepKind.Burst) || !step.Expected.Any(e => e.Outcome == RotationOutcome.ReuseDetected))
        {
            return;
        }

        if (!results.Any(r => r.Outcome == RotationOutcome.ReuseDetected))
        {
            fail(Invariant.ReuseIsDetected, $"retired generation {step.Generation} of family #{step.Family} (current {step.CurrentGenerationBefore}) presented outside the grace rule got {Describe(results)}, not ReuseDetected");
            return;
        }

        if (harness.Find(step.FamilyIndex) is { Status: not FamilyStatus.Revoked })
        {
            fail(Invariant.ReuseIsDetected, $"reuse was reported for family #{step.Family} but the store still holds it active");
        }

        if (family is not null && harness.TokensOf(step.FamilyIndex).LastOrDefault().Token is { } latest
            && Wait(harness.Engine.InspectAsync(latest, family.ClientId, family.Binding)) is { Outcome: not RotationOutcome.Revoked } after)
        {
            fail(Invariant.ReuseIsDetected, $"after reuse was detected, the family's latest token gets {after.Outcome}, not Revoked");
        }
    }
}
