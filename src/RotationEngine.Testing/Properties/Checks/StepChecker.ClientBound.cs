using RotationEngine.Events;
using RotationEngine.Testing.Harness;
using RotationEngine.Testing.Model;

namespace RotationEngine.Testing.Checks;

/// <summary>Invariant 13 (docs/semantics.md §7): <see cref="Invariant.ClientBound"/>.</summary>
internal sealed partial class StepChecker
{
    private static void CheckClientBound(EngineHarness harness, Step step, Observation observation, IReadOnlyList<string>? before, int eventsBefore, Action<Invariant, string> fail)
    {
        if (!step.OtherClient || observation.Faulted)
        {
            return;
        }

        if (observation.Count != 0)
        {
            fail(Invariant.ClientBound, $"client {step.ClientId} revoked family #{step.Family}, which is another client's");
        }

        foreach (var result in observation.Results)
        {
            if (result.Outcome != RotationOutcome.Invalid || result.Token is not null || result.Subject is not null)
            {
                fail(Invariant.ClientBound, $"client {step.ClientId} presenting another client's token (family #{step.Family} generation {step.Generation}) got {result}");
            }
        }

        var after = Snapshot(harness);
        for (var i = 0; before is not null && i < after.Count; i++)
        {
            if (before[i] != after[i])
            {
                fail(Invariant.ClientBound, $"client {step.ClientId} presenting another client's token changed family #{i}: {before[i]} -> {after[i]}");
            }
        }

        if (harness.Telemetry.Events.Skip(eventsBefore).FirstOrDefault(e => e.Kind != RotationEventKind.Invalid) is { } stray)
        {
            fail(Invariant.ClientBound, $"another client's token raised a {stray.Kind} event");
        }
    }
}
