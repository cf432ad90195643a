using System.Collections.Immutable;
using RotationEngine.Testing.Harness;
using RotationEngine.Testing.Model;

namespace RotationEngine.Testing.Checks;

/// <summary>Invariant 4 (docs/semantics.md §7): <see cref="Invariant.GraceIsIdempotentAndBounded"/>.</summary>
internal sealed partial class StepChecker
{
    private static void CheckGrace(EngineHarness harness, Step step, ImmutableArray<RotationResult> results, Action<Invariant, string> fail)
    {
        if (step.Kind is not (StepKind.Rotate or StepKind.Burst))
        {
            return;
        }

        var expectedReplays = step.Expected.Count(e => e.Outcome == RotationOutcome.GraceReplay);
        var replays = results.Where(r => r.Outcome == RotationOutcome.GraceReplay).ToList();
        if (replays.Count > expectedReplays)
        {
            fail(Invariant.GraceIsIdempotentAndBounded, $"{replays.Count} grace replays where the rule allows {expectedReplays} (generation {step.Generation}, current {step.CurrentGenerationBefore})");
        }

        if (step.InsideGraceRule && step.Expected.Any(e => e.Outcome == RotationOutcome.GraceReplay) && replays.Count == 0)
        {
            fail(Invariant.GraceIsIdempotentAndBounded, $"retired generation {step.Generation} inside the grace rule got {Describe(results)}, not GraceReplay");
        }

        var tokens = results.Where(r => r.Succeeded).Select(r => r.Token).Distinct(StringComparer.Ordinal).ToList();
        if (tokens.Count > 1)
        {
            fail(Invariant.GraceIsIdempotentAndBounded, $"one burst of tabs received {tokens.Count} different tokens");
        }

        foreach (var replay in replays)
        {
            var expectedGeneration = step.Kind == StepKind.Burst ? step.Expected.Max(e => e.Generation) : step.CurrentGenerationBefore;
            if (replay.Generation != expectedGeneration)
            {
                fail(Invariant.GraceIsIdempotentAndBounded, $"a grace replay moved the generation to {replay.Generation} (expected {expectedGeneration})");
            }

            if (step.Kind == StepKind.Rotate && harness.TokenOf(step.Family, step.CurrentGenerationBefore) is { } current && current != replay.Token)
            {
                fail(Invariant.GraceIsIdempotentAndBounded, "a grace replay returned a token that is not the current token byte-for-byte");
            }
        }

        if (step.Kind == StepKind.Rotate && replays.Count > 0 && harness.Find(step.FamilyIndex) is { } stored && stored.Generation != step.CurrentGenerationBefore)
        {
            fail(Invariant.GraceIsIdempotentAndBounded, $"the store moved to generation {stored.Generation} on a grace replay (was {step.CurrentGenerationBefore})");
        }
    }
}
