using RotationEngine.Events;
using RotationEngine.Testing.Harness;
using RotationEngine.Testing.Model;

namespace RotationEngine.Testing.Checks;

/// <summary>Invariant 6 (docs/semantics.md §7): <see cref="Invariant.ForgeryIsHarmless"/>.</summary>
internal sealed partial class StepChecker
{
    private static void CheckForgery(EngineHarness harness, Step step, Observation observation, IReadOnlyList<string>? before, int eventsBefore, Action<Invariant, string> fail)
    {
        if (step.Kind != StepKind.Forge)
        {
            return;
        }

        var revoked = observation.Count != 0;
        var answer = observation.Results.IsDefaultOrEmpty ? (RotationResult?)null : observation.Results[0];
        if (revoked || answer is { Outcome: not RotationOutcome.Invalid } || answer?.Token is not null)
        {
            fail(Invariant.ForgeryIsHarmless, $"a forged string ({step.Forgery}) got {(revoked ? "a revocation" : answer?.Outcome.ToString())}");
        }

        var after = Snapshot(harness);
        for (var i = 0; i < after.Count; i++)
        {
            if (before is not null && before[i] != after[i])
            {
                fail(Invariant.ForgeryIsHarmless, $"a forged string ({step.Forgery}) changed family #{i}: {before[i]} -> {after[i]}");
            }
        }

        var events = harness.Telemetry.Events.Skip(eventsBefore).Where(e => e.Kind != RotationEventKind.Invalid).ToList();
        if (events.Count > 0)
        {
            fail(Invariant.ForgeryIsHarmless, $"a forged string raised a {events[0].Kind} event");
        }
    }
}
