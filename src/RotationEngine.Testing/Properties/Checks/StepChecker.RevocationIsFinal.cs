using System.Collections.Immutable;
using RotationEngine.Testing.Harness;
using RotationEngine.Testing.Model;

namespace RotationEngine.Testing.Checks;

/// <summary>Invariant 2 (docs/semantics.md §7): <see cref="Invariant.RevocationIsFinal"/>.</summary>
internal sealed partial class StepChecker
{
    private static void CheckRevocationIsFinal(EngineHarness harness, RotationModel model, Step step, ImmutableArray<RotationResult> results, Action<Invariant, string> fail)
    {
        if (step.RevokedBefore && results.Any(r => r.Succeeded))
        {
            fail(Invariant.RevocationIsFinal, $"a token of revoked family #{step.Family} got {results.First(r => r.Succeeded).Outcome}");
        }

        foreach (var revoked in model.Families.Where(f => f.Revoked && !f.Pruned && !f.Foreign))
        {
            foreach (var (generation, token) in harness.TokensOf(revoked.Index))
            {
                var answer = Wait(harness.Engine.InspectAsync(token, revoked.ClientId, revoked.Binding));
                if (answer.Succeeded)
                {
                    fail(Invariant.RevocationIsFinal, $"family #{revoked.Index} was revoked, yet its generation {generation} token would get {answer.Outcome}");
                    return;
                }
            }
        }
    }
}
