using System.Collections.Immutable;
using RotationEngine.Testing.Harness;
using RotationEngine.Testing.Model;

namespace RotationEngine.Testing.Checks;

/// <summary>Invariant 11 (docs/semantics.md §7): <see cref="Invariant.GenerationsOnlyGrow"/>.</summary>
internal sealed partial class StepChecker
{
    private static void CheckGenerations(EngineHarness harness, Step step, ImmutableArray<RotationResult> results, Action<Invariant, string> fail)
    {
        for (var i = 0; i < harness.Ids.Count; i++)
        {
            if (harness.Find(i) is not { } stored)
            {
                continue;
            }

            var last = harness.LastGenerations.GetValueOrDefault(i);
            if (stored.Generation < last)
            {
                fail(Invariant.GenerationsOnlyGrow, $"family #{i} went from generation {last} back to {stored.Generation}");
            }

            harness.LastGenerations[i] = Math.Max(last, stored.Generation);
        }

        foreach (var result in results.Where(r => r.FamilyId is not null && r.Outcome == RotationOutcome.Rotated))
        {
            if (result.Generation <= step.Generation)
            {
                fail(Invariant.GenerationsOnlyGrow, $"a rotation of generation {step.Generation} returned generation {result.Generation}");
            }
        }
    }
}
