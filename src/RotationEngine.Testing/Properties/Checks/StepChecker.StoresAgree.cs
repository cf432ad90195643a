using System.Globalization;
using RotationEngine.Testing.Harness;
using RotationEngine.Testing.Model;

namespace RotationEngine.Testing.Checks;

/// <summary>Invariant 8 (docs/semantics.md §7): <see cref="Invariant.StoresAgree"/>.</summary>
internal sealed partial class StepChecker
{
    private static void CheckAgreement(Step step, Observation observation, Action<Invariant, string> fail)
    {
        if (!Agrees(step, observation))
        {
            fail(Invariant.StoresAgree, $"{step.Kind} expected {Expected(step)} but the engine answered {Actual(step, observation)}");
        }
    }

    private static bool Agrees(Step step, Observation observation)
    {
        if (observation.Crash is not null)
        {
            return false;
        }

        switch (step.Kind)
        {
            case StepKind.Rotate or StepKind.Inspect:
                return step.Expected[0].IsFault
                    ? observation.Faulted
                    : !observation.Faulted && observation.Results.Length == 1 && step.Expected[0].Matches(observation.Results[0]);
            case StepKind.Burst:
                return !observation.Faulted && Expected(step) == Actual(step, observation);
            case StepKind.Forge when step.ViaRevoke:
                return !observation.Faulted && observation.Count == 0;
            case StepKind.Forge:
                return !observation.Faulted && observation.Results.Length == 1 && step.Expected[0].Matches(observation.Results[0]);
            case StepKind.RevokeToken or StepKind.RevokeFamily or StepKind.RevokeSubject or StepKind.ListFamilies or StepKind.Prune:
                return !observation.Faulted && observation.Count == step.ExpectedCount;
            default:
                return !observation.Faulted;
        }
    }

    private static string Expected(Step step) => step.Kind switch
    {
        StepKind.Burst => string.Join(", ", step.Expected.Select(e => e.ToString()).Order(StringComparer.Ordinal)),
        StepKind.Forge when step.ViaRevoke => "not revoked",
        StepKind.Rotate or StepKind.Inspect or StepKind.Forge => step.Expected[0].ToString(),
        _ => step.ExpectedCount.ToString(CultureInfo.InvariantCulture),
    };

    private static string Actual(Step step, Observation observation)
    {
        if (observation.Faulted)
        {
            return "store fault";
        }

        return step.Kind switch
        {
            StepKind.Burst => string.Join(", ", observation.Results.Select(Expectation.Describe).Order(StringComparer.Ordinal)),
            StepKind.Forge when step.ViaRevoke => observation.Count == 0 ? "not revoked" : "revoked",
            StepKind.Rotate or StepKind.Inspect or StepKind.Forge => observation.Results.IsDefaultOrEmpty ? "no answer" : Expectation.Describe(observation.Results[0]),
            _ => observation.Count.ToString(CultureInfo.InvariantCulture),
        };
    }
}
