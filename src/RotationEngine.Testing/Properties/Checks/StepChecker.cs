using System.Collections.Immutable;
using RotationEngine.Storage;
using RotationEngine.Testing.Harness;
using RotationEngine.Testing.Model;

namespace RotationEngine.Testing.Checks;

/// <summary>
/// Runs one model step on the harness and checks the invariants in focus against what the engine answered.
/// Each check compares the engine with the specification's facts recorded in the <see cref="Step"/>; a
/// violation names its invariant. Once the engine's answers leave the model's, later steps are skipped
/// (their facts no longer describe the engine's state), so each failure is reported where it first happens.
/// </summary>
internal sealed partial class StepChecker(IReadOnlySet<Invariant> focus, Func<IFamilyStore, ValueTask<byte[]>>? persistedBytes)
{
    public IReadOnlyList<string> Run(EngineHarness harness, RotationModel model)
    {
        var step = model.Last;
        var violations = new List<string>();
        if (harness.DivergedAt is not null || step.Kind == StepKind.Skip)
        {
            return violations;
        }

        var before = (focus.Contains(Invariant.ForgeryIsHarmless) && step.Kind == StepKind.Forge)
            || (focus.Contains(Invariant.ClientBound) && step.OtherClient)
            ? Snapshot(harness)
            : null;
        var eventsBefore = harness.Telemetry.Events.Count;
        var observation = harness.Execute(step);
        if (observation.Unreachable)
        {
            harness.DivergedAt = step.ToString();
            return violations;
        }

        void Fail(Invariant invariant, string message) => violations.Add($"{invariant.Describe()}: {message}");

        if (observation.Crash is { } crash)
        {
            Fail(focus.First(), $"the engine threw {crash.GetType().Name} (only RotationStoreException is allowed): {crash.Message}");
        }

        var results = observation.Results;

        // What the engine handed out: Inspect answers what a rotation would do but rotates nothing.
        var rotations = step.Kind == StepKind.Inspect ? [] : results;
        var family = step.Family is null ? null : step.FamilyAfter;
        foreach (var invariant in focus)
        {
            switch (invariant)
            {
                case Invariant.SingleLineage:
                    CheckSingleLineage(harness, step, rotations, family, Fail);
                    break;
                case Invariant.RevocationIsFinal:
                    CheckRevocationIsFinal(harness, model, step, results, Fail);
                    break;
                case Invariant.ReuseIsDetected:
                    CheckReuse(harness, step, rotations, family, Fail);
                    break;
                case Invariant.GraceIsIdempotentAndBounded:
                    CheckGrace(harness, step, rotations, Fail);
                    break;
                case Invariant.ExpiryHolds:
                    CheckExpiry(step, rotations, family, Fail);
                    break;
                case Invariant.ForgeryIsHarmless:
                    CheckForgery(harness, step, observation, before, eventsBefore, Fail);
                    break;
                case Invariant.SecretsStaySecret:
                    CheckSecrets(harness, Fail);
                    break;
                case Invariant.StoresAgree:
                    CheckAgreement(step, observation, Fail);
                    break;
                case Invariant.GenerationsOnlyGrow:
                    CheckGenerations(harness, step, rotations, Fail);
                    break;
                case Invariant.ForgeryIsFree:
                    CheckForgeryIsFree(step, observation, Fail);
                    break;
                case Invariant.ClientBound:
                    CheckClientBound(harness, step, observation, before, eventsBefore, Fail);
                    break;
            }
        }

        if (!Agrees(step, observation))
        {
            harness.DivergedAt = step.ToString();
        }

        return violations;
    }


    private static List<string> Snapshot(EngineHarness harness) =>
        Enumerable.Range(0, harness.Ids.Count).Select(i => harness.Find(i) is { } f
            ? $"{f.Status} gen {f.Generation} exp {f.TokenExpiresAt.ToUnixTimeMilliseconds()} ledger {f.Ledger} digest {Convert.ToHexString(f.Digest)[..8]}"
            : "absent").ToList();

    private static string Describe(ImmutableArray<RotationResult> results) =>
        results.IsDefaultOrEmpty ? "a store fault" : string.Join(", ", results.Select(r => r.Outcome));

    private static string Relative(DateTimeOffset? time) =>
        time is null ? "none" : $"t+{time.Value.ToUnixTimeMilliseconds() - ModelSettings.Epoch} ms";

    /// <summary>Where a leaking text came from, without the text itself (it holds the secret).</summary>
    private static string Redact(string text) => text[..Math.Max(0, text.IndexOf(':', StringComparison.Ordinal))];

    private static T Wait<T>(ValueTask<T> pending) => pending.AsTask().GetAwaiter().GetResult();
}
