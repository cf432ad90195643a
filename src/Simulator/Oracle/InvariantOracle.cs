using System.Globalization;
using RotationEngine;

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
/// Checks each rotation the engine answers against a reference model of docs/semantics.md §5–§7 driven by ground
/// truth: the model predicts the outcome and its cause from the family's true state, the presented generation,
/// client and binding, and the serving instance's clock, then the actual answer is compared. A disagreement is
/// named after the invariant it breaks (1–6, 11–13). After a consistent answer the model takes its effect.
/// </summary>
internal sealed class InvariantOracle
{
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
        var violation = Compare(family, presented, now, actual, stateUnchanged, storeCalls);
        if (violation is null)
        {
            Apply(family, presented, now, actual);
        }

        return violation;
    }

    /// <summary>The outcome the specification requires.</summary>
    public static RotationOutcome Expect(FamilyModel family, Presentation presented, long now, out bool revokes) =>
        Expect(family, presented, now, out revokes, out _);

    /// <summary>The outcome and cause the specification requires, and whether the answer revokes the family.</summary>
    public static RotationOutcome Expect(FamilyModel family, Presentation presented, long now, out bool revokes, out OutcomeCause cause)
    {
        revokes = false;
        switch (presented.Forgery)
        {
            case Forgery.KeyFingerprint:
                cause = OutcomeCause.UnknownKey;
                return RotationOutcome.Invalid;
            case Forgery.OtherClient:
                cause = OutcomeCause.ClientMismatch;
                return RotationOutcome.Invalid;
            case not Forgery.None:
                cause = OutcomeCause.NotAuthentic;
                return RotationOutcome.Invalid;
        }

        var behind = family.Generation - presented.Generation;
        if (behind < 0)
        {
            cause = OutcomeCause.RecordMismatch;
            return RotationOutcome.Invalid;
        }

        if (family.Revoked)
        {
            cause = OutcomeCause.FamilyRevoked;
            return RotationOutcome.Revoked;
        }

        if (now >= family.FamilyExpiresAt)
        {
            cause = OutcomeCause.FamilyExpired;
            return RotationOutcome.Expired;
        }

        // The current token's idle expiry: for the current token its own (from its issue time), for a retired one
        // the end of every grace.
        if (now >= family.TokenExpiresAt)
        {
            cause = OutcomeCause.TokenExpired;
            return RotationOutcome.Expired;
        }

        var bindingMatches = family.Binding is null || string.Equals(family.Binding, presented.Binding, StringComparison.Ordinal);
        if (behind == 0)
        {
            if (!bindingMatches)
            {
                revokes = family.Policy.BindingMismatchRevokes;
                cause = OutcomeCause.BindingMismatch;
                return RotationOutcome.BindingMismatch;
            }

            if (family.Generation >= family.Policy.MaxGenerations)
            {
                cause = OutcomeCause.GenerationLimit;
                return RotationOutcome.Expired;
            }

            cause = OutcomeCause.None;
            return RotationOutcome.Rotated;
        }

        cause = Grace(family, behind, now);
        if (cause != OutcomeCause.WithinGrace)
        {
            revokes = true;
            return RotationOutcome.ReuseDetected;
        }

        if (!bindingMatches)
        {
            revokes = family.Policy.BindingMismatchRevokes;
            cause = OutcomeCause.BindingMismatch;
            return RotationOutcome.BindingMismatch;
        }

        return RotationOutcome.GraceReplay;
    }

    /// <summary>The grace rule (docs/semantics.md §6) for a retired token <paramref name="behind"/> generations back:
    /// <see cref="OutcomeCause.WithinGrace"/>, or why not.</summary>
    private static OutcomeCause Grace(FamilyModel family, int behind, long now)
    {
        var policy = family.Policy;
        var window = (long)policy.GraceWindow.TotalMilliseconds;
        if (window == 0)
        {
            return OutcomeCause.GraceWindowElapsed;
        }

        if (behind > policy.GraceDepth || behind > family.Slots)
        {
            return OutcomeCause.GraceDepthExceeded;
        }

        if (now >= family.RetiredAt[behind - 1] + window)
        {
            return OutcomeCause.GraceWindowElapsed;
        }

        // The retired token's own idle expiry, from its own issue time.
        if (now >= family.IssuedAt[behind] + (long)policy.TokenLifetime.TotalMilliseconds)
        {
            return OutcomeCause.RetiredTokenExpired;
        }

        return policy.GraceMaxReplays is int max && family.Replays[behind - 1] >= max
            ? OutcomeCause.GraceReplaysExhausted
            : OutcomeCause.WithinGrace;
    }

    private static InvariantViolation? Compare(FamilyModel family, Presentation presented, long now, in RotationResult actual, bool stateUnchanged, long storeCalls)
    {
        var expected = Expect(family, presented, now, out _, out var expectedCause);
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

    private static void Apply(FamilyModel family, Presentation presented, long now, in RotationResult actual)
    {
        switch (actual.Outcome)
        {
            case RotationOutcome.Rotated:
                family.Retire(now);
                family.Generation++;
                family.TokenExpiresAt = now + (long)family.Policy.TokenLifetime.TotalMilliseconds;
                family.CurrentToken = actual.Token!;
                break;
            case RotationOutcome.GraceReplay:
                var slot = family.Generation - presented.Generation - 1;
                family.Replays[slot] = Math.Min(family.Replays[slot] + 1, ushort.MaxValue);
                break;
            case RotationOutcome.ReuseDetected:
            case RotationOutcome.BindingMismatch when family.Policy.BindingMismatchRevokes && !family.Revoked:
                family.Revoked = true;
                family.RevokedAt = now;
                break;
        }
    }
}
