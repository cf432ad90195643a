using System.Collections.Immutable;
using RotationEngine.Testing.Model;

namespace RotationEngine.Testing.Checks;

/// <summary>Invariant 5 (docs/semantics.md §7): <see cref="Invariant.ExpiryHolds"/>.</summary>
internal sealed partial class StepChecker
{
    private static void CheckExpiry(Step step, ImmutableArray<RotationResult> results, ModelFamily? family, Action<Invariant, string> fail)
    {
        var success = results.FirstOrDefault(r => r.Succeeded);
        if (success.Succeeded && step.Kind != StepKind.Forge && step.Now >= step.PresentedExpiresAt)
        {
            fail(Invariant.ExpiryHolds, $"{success.Outcome} at t+{step.Now - ModelSettings.Epoch} ms although the presented token expired at t+{step.PresentedExpiresAt - ModelSettings.Epoch} ms");
        }

        if (family is null)
        {
            return;
        }

        foreach (var rotated in results.Where(r => r.Outcome == RotationOutcome.Rotated))
        {
            var expected = Math.Min(step.Now + ModelFamily.Ms(family.Policy.TokenLifetime), family.FamilyExpiresAt);
            if (rotated.TokenExpiresAt?.ToUnixTimeMilliseconds() != expected)
            {
                fail(Invariant.ExpiryHolds, $"a rotation at t+{step.Now - ModelSettings.Epoch} ms set the token expiry to {Relative(rotated.TokenExpiresAt)}, not t+{expected - ModelSettings.Epoch} ms");
            }
        }
    }
}
