using RotationEngine.Testing.Harness;
using RotationEngine.Testing.Model;

namespace RotationEngine.Testing.Checks;

/// <summary>Invariant 12 (docs/semantics.md §7): <see cref="Invariant.ForgeryIsFree"/>.</summary>
internal sealed partial class StepChecker
{
    private static void CheckForgeryIsFree(Step step, Observation observation, Action<Invariant, string> fail)
    {
        if (step.Kind == StepKind.Forge && observation.StoreCalls != 0)
        {
            fail(Invariant.ForgeryIsFree, $"a forged string ({step.Forgery}) cost {observation.StoreCalls} store call(s)");
        }
    }
}
