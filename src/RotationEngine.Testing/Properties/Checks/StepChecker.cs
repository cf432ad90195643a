using System.Collections.Immutable;
using System.Globalization;
using RotationEngine.Events;
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
internal sealed class StepChecker(IReadOnlySet<Invariant> focus, Func<IFamilyStore, ValueTask<byte[]>>? persistedBytes)
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
        var family = step.Family >= 0 ? step.FamilyAfter : null;
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

    // ---- 1 ------------------------------------------------------------------------------------------------

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

        var live = harness.TokensOf(step.Family)
            .Where(t => Wait(harness.Engine.InspectAsync(t.Token, family.ClientId, family.Binding)).Outcome == RotationOutcome.Rotated)
            .Select(t => t.Generation)
            .ToList();
        if (live.Count > 1)
        {
            fail(Invariant.SingleLineage, $"after the step, tokens of generations {string.Join(", ", live)} of family #{step.Family} would all rotate");
        }
    }

    // ---- 2 ------------------------------------------------------------------------------------------------

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

    // ---- 3 ------------------------------------------------------------------------------------------------

    private static void CheckReuse(EngineHarness harness, Step step, ImmutableArray<RotationResult> results, ModelFamily? family, Action<Invariant, string> fail)
    {
        if (step.Kind is not (StepKind.Rotate or StepKind.Burst) || !step.Expected.Any(e => e.Outcome == RotationOutcome.ReuseDetected))
        {
            return;
        }

        if (!results.Any(r => r.Outcome == RotationOutcome.ReuseDetected))
        {
            fail(Invariant.ReuseIsDetected, $"retired generation {step.Generation} of family #{step.Family} (current {step.CurrentGenerationBefore}) presented outside the grace rule got {Describe(results)}, not ReuseDetected");
            return;
        }

        if (harness.Find(step.Family) is { Status: not FamilyStatus.Revoked })
        {
            fail(Invariant.ReuseIsDetected, $"reuse was reported for family #{step.Family} but the store still holds it active");
        }

        if (family is not null && harness.TokensOf(step.Family).LastOrDefault().Token is { } latest
            && Wait(harness.Engine.InspectAsync(latest, family.ClientId, family.Binding)) is { Outcome: not RotationOutcome.Revoked } after)
        {
            fail(Invariant.ReuseIsDetected, $"after reuse was detected, the family's latest token gets {after.Outcome}, not Revoked");
        }
    }

    // ---- 4 ------------------------------------------------------------------------------------------------

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

        if (step.Kind == StepKind.Rotate && replays.Count > 0 && harness.Find(step.Family) is { } stored && stored.Generation != step.CurrentGenerationBefore)
        {
            fail(Invariant.GraceIsIdempotentAndBounded, $"the store moved to generation {stored.Generation} on a grace replay (was {step.CurrentGenerationBefore})");
        }
    }

    // ---- 5 ------------------------------------------------------------------------------------------------

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

    // ---- 6 ------------------------------------------------------------------------------------------------

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

    // ---- 7 ------------------------------------------------------------------------------------------------

    private void CheckSecrets(EngineHarness harness, Action<Invariant, string> fail)
    {
        foreach (var (_, token) in harness.Tokens)
        {
            harness.Scanner.Add(token);
        }

        foreach (var text in harness.Telemetry.Text.Skip(harness.ScannedTexts))
        {
            if (harness.Scanner.FindIn(text) is { } form)
            {
                fail(Invariant.SecretsStaySecret, $"a {form} appears in captured output: {Redact(text)}");
                break;
            }
        }

        harness.ScannedTexts = harness.Telemetry.Text.Count;
        for (var i = 0; i < harness.Ids.Count; i++)
        {
            if (harness.Find(i) is not { } family)
            {
                continue;
            }

            var (text, bytes) = SecretScanner.Dump(family);
            if ((harness.Scanner.FindIn(text) ?? harness.Scanner.FindIn(bytes)) is { } form)
            {
                fail(Invariant.SecretsStaySecret, $"a {form} is stored in family #{i}");
                return;
            }
        }

        // What a host serializing the results (JSON) would write.
        if (harness.Scanner.FindIn(harness.SerializedResults) is { } serialized)
        {
            fail(Invariant.SecretsStaySecret, $"a {serialized} appears in a serialized result");
        }

        if (persistedBytes is not null && harness.Scanner.FindIn(Wait(persistedBytes(harness.Store))) is { } persisted)
        {
            fail(Invariant.SecretsStaySecret, $"a {persisted} is in the store's persisted bytes");
        }
    }

    // ---- 8 ------------------------------------------------------------------------------------------------

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

    // ---- 12 -----------------------------------------------------------------------------------------------

    private static void CheckForgeryIsFree(Step step, Observation observation, Action<Invariant, string> fail)
    {
        if (step.Kind == StepKind.Forge && observation.StoreCalls != 0)
        {
            fail(Invariant.ForgeryIsFree, $"a forged string ({step.Forgery}) cost {observation.StoreCalls} store call(s)");
        }
    }

    // ---- 13 -----------------------------------------------------------------------------------------------

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

    // ---- 11 -----------------------------------------------------------------------------------------------

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

    // ---- helpers ------------------------------------------------------------------------------------------

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
