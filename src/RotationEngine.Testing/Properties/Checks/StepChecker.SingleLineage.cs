using System.Collections.Immutable;
using RotationEngine.Testing.Harness;
using RotationEngine.Testing.Model;

namespace RotationEngine.Testing.Checks;

/// <summary>Invariant 1 (docs/semantics.md §7): <see cref="Invariant.SingleLineage"/>.</summary>
internal sealed partial class StepChecker
{
    private static void CheckSingleLineage(EngineHarness harness, Step step, ImmutableArray<RotationResult> results, ModelFamily? family, Action<Invariant, string> fail)
    {
        var rotated = results.Where(r => r.Outcome == RotationOutcome.Rotated).ToList();
        if (rotated.Count > 1)
        {
            fail(Invariant.SingleLineage, $"{rotated.Count} presentations of one token all got Rotated");
        }

        if (rotated.Count > 0 && step.Generation != step.CurrentGenerationBefore && step.Kind != StepKind.Forge)
        {
            fail(Invariant.SingleLineage, $"a retired token (generation {step.Generation}, current {step.CurrentGenerationBefore}) got Rotated");
        }

        if (step.Kind == StepKind.Forge && rotated.Count > 0)
        {
            fail(Invariant.SingleLineage, $"a forged string ({step.Forgery}) got Rotated");
        }

        foreach (var result in rotated)
        {
            if (result.Token is not null && harness.TokenOf(step.Family, result.Generation) is { } known && known != result.Token)
            {
                fail(Invariant.SingleLineage, $"two different tokens were handed out for generation {result.Generation}");
            }
        }

        if (family is null || family.Pruned || family.Foreign)
        {
            return;
        }

        var live = harness.TokensOf(step.FamilyIndex)
            .Where(t => Wait(harness.Engine.InspectAsync(t.Token, family.ClientId, family.Binding)).Outcome == RotationOutcome.Rotated)
            .Select(t => t.Generation)
            .ToList();
        if (live.Count > 1)
        {
            fail(Invariant.SingleLineage, $"after the step, tokens of generations {string.Join(", ", live)} of family #{step.Family} would all rotate");
        }
    }
}
