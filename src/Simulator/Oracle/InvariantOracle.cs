using System.Globalization;
using RotationEngine;
using RotationEngine.Testing.Specification;

namespace Simulator.Oracle;

/// <summary>How an attacker's presentation differs from an honest one.</summary>
internal enum Forgery : byte
{
    /// <summary>The token as it was handed out, by its own client.</summary>
    None,

    /// <summary>One bit of the secret flipped, the old tag kept.</summary>
    Secret,

    /// <summary>The generation moved by one (or to 7 from 0), the old tag kept.</summary>
    Generation,

    /// <summary>The issue time moved a day later (a token that looks fresher), the old tag kept.</summary>
    IssueTime,

    /// <summary>One bit of the tag flipped.</summary>
    Tag,

    /// <summary>The key fingerprint changed: a key the ring does not hold.</summary>
    KeyFingerprint,

    /// <summary>The authentic token, presented by another client (a thief with a client registration of its
    /// own): not a forged string, but it must change nothing either (invariant 13).</summary>
    OtherClient,
}

/// <summary>What was presented to the engine in one server step.</summary>
internal readonly record struct Presentation(int Generation, string? Binding, Forgery Forgery = Forgery.None)
{
    /// <summary>A string the server did not mint (every field but the family id may have been changed).</summary>
    public bool Forged => Forgery is not (Forgery.None or Forgery.OtherClient);
}

/// <summary>
/// Checks each rotation the engine answers against the specification (<see cref="RotationSpecification"/>, the model
/// the property suite also asks) driven by ground truth: the specification predicts the outcome and its cause from the
/// family's true state, the presented generation, client and binding, and the serving instance's clock, then the
/// actual answer is compared. A disagreement is named after the invariant it breaks (1–6, 11–13). After a consistent
/// answer the family's state takes its effect. The oracle's own concerns are the simulator's forgeries and blame.
/// </summary>
internal sealed class InvariantOracle
{
    /// <summary>The client id a thief with a registration of its own presents (any id but the family's).</summary>
    private const string AnotherClient = "another client";

    /// <summary>Checks one answer.</summary>
    /// <param name="family">The model of the presented token's family.</param>
    /// <param name="presented">What was presented.</param>
    /// <param name="now">The serving instance's clock (Unix ms).</param>
    /// <param name="actual">The engine's answer.</param>
    /// <param name="stateUnchanged">Whether the stored record is the same after the call (checked for attackers'
    /// forged and other-client presentations; true otherwise).</param>
    /// <param name="storeCalls">How many store calls the engine made for this presentation.</param>
    public InvariantViolation? Check(FamilyModel family, Presentation presented, long now, in RotationResult actual, bool stateUnchanged, long storeCalls)
    {
        var expected = Expect(family, presented, now);
        var violation = Compare(family, presented, now, expected, actual, stateUnchanged, storeCalls);
        if (violation is null)
        {
            family.State = RotationSpecification.Apply(family.State, presented.Generation, expected, now).Compact();
            if (actual.Outcome == RotationOutcome.Rotated)
            {
                family.CurrentToken = actual.Token!;
            }
        }

        return violation;
    }

    /// <summary>The outcome the specification requires.</summary>
    public static RotationOutcome Expect(FamilyModel family, Presentation presented, long now, out bool revokes) =>
        Expect(family, presented, now, out revokes, out _);

    /// <summary>The outcome and cause the specification requires, and whether the answer revokes the family.</summary>
    public static RotationOutcome Expect(FamilyModel family, Presentation presented, long now, out bool revokes, out OutcomeCause cause)
    {
        var answer = Expect(family, presented, now);
        revokes = answer.Revokes;
        cause = answer.Cause;
        return answer.Outcome;
    }

    /// <summary>The answer the specification requires: a forged string is refused before any family is known (by its
    /// unknown key, or by its tag); an authentic token, by whichever client, is the specification's business.</summary>
    public static SpecifiedAnswer Expect(FamilyModel family, Presentation presented, long now) => presented.Forgery switch
    {
        Forgery.KeyFingerprint => new(RotationOutcome.Invalid, OutcomeCause.UnknownKey, 0, Revokes: false),
        Forgery.None => RotationSpecification.Rotate(family.State, presented.Generation, family.ClientId, presented.Binding, now),
        Forgery.OtherClient => RotationSpecification.Rotate(family.State, presented.Generation, AnotherClient, presented.Binding, now),
        _ => new(RotationOutcome.Invalid, OutcomeCause.NotAuthentic, 0, Revokes: false),
    };

    private static InvariantViolation? Compare(FamilyModel family, Presentation presented, long now, SpecifiedAnswer answer, in RotationResult actual, bool stateUnchanged, long storeCalls)
    {
        var expected = answer.Outcome;
        var expectedCause = answer.Cause;
        var behind = family.Generation - presented.Generation;
        var got = actual.Outcome;
        var gotCause = actual.Cause;
        InvariantViolation Fail(int invariant, string detail) => new(invariant, detail, now, family.Id);
        string Presented() => presented.Forgery switch
        {
            Forgery.None => "",
            Forgery.OtherClient => " (by another client)",
            _ => $" (forged: {presented.Forgery})",
        };
        string Describe() => string.Create(CultureInfo.InvariantCulture,
            $"family #{family.Id} at generation {family.Generation}{(family.Revoked ? " (revoked)" : "")}: a token of generation {presented.Generation}{Presented()} got {got} ({gotCause}), the specification requires {expected} ({expectedCause})");

        if (presented.Forgery != Forgery.None)
        {
            var invariant = presented.Forged ? 6 : 13;
            if (got != RotationOutcome.Invalid)
            {
                return Fail(invariant, Describe());
            }

            if (!stateUnchanged)
            {
                return Fail(invariant, string.Create(CultureInfo.InvariantCulture, $"family #{family.Id}: a token{Presented()} changed the family's stored state"));
            }

            if (presented.Forged && storeCalls != 0)
            {
                return Fail(12, string.Create(CultureInfo.InvariantCulture, $"family #{family.Id}: a token{Presented()} cost {storeCalls} store call(s)"));
            }

            return actual.Cause != expectedCause ? Fail(0, Describe()) : null;
        }

        if (actual.FamilyId is not null && actual.Generation < family.Generation)
        {
            return Fail(11, string.Create(CultureInfo.InvariantCulture, $"family #{family.Id}: the engine reported generation {actual.Generation} after generation {family.Generation}"));
        }

        if (got == expected)
        {
            if (got == RotationOutcome.Rotated && actual.Generation != family.Generation + 1)
            {
                return Fail(11, string.Create(CultureInfo.InvariantCulture, $"family #{family.Id}: a rotation from generation {family.Generation} produced generation {actual.Generation}"));
            }

            if (got == RotationOutcome.GraceReplay && (actual.Generation != family.Generation || !string.Equals(actual.Token, family.CurrentToken, StringComparison.Ordinal)))
            {
                return Fail(4, $"family #{family.Id}: a grace replay did not return the current token byte-for-byte");
            }

            return actual.Cause != expectedCause ? Fail(0, Describe()) : null;
        }

        var succeeded = got is RotationOutcome.Rotated or RotationOutcome.GraceReplay;
        if (expected == RotationOutcome.Revoked)
        {
            // A revoked family answered as if it were still active (even a second reuse detection says so).
            return Fail(2, Describe());
        }

        if (succeeded && (now >= family.FamilyExpiresAt || now >= family.TokenExpiresAt))
        {
            return Fail(5, Describe());
        }

        if (got == RotationOutcome.Rotated && behind != 0)
        {
            return Fail(1, Describe());
        }

        if (got == RotationOutcome.GraceReplay && expected == RotationOutcome.ReuseDetected)
        {
            return Fail(4, Describe());
        }

        return expected == RotationOutcome.ReuseDetected ? Fail(3, Describe()) : Fail(0, Describe());
    }
}
