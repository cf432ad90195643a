using System.Globalization;
using RotationEngine;

namespace Simulator.Oracle;

/// <summary>What was presented to the engine in one server step.</summary>
internal readonly record struct Presentation(int Generation, string? Binding, bool Forged);

/// <summary>
/// Checks each rotation the engine answers against a reference model of SEMANTICS.md §5–§7 driven by
/// ground truth: the model predicts the outcome from the family's true state, the presented generation and
/// the serving instance's clock, then the actual outcome is compared. A disagreement is named after the
/// invariant it breaks (1–6, 11). After a consistent answer the model takes its effect.
/// </summary>
internal sealed class InvariantOracle
{
    public InvariantViolation? Check(FamilyModel family, Presentation presented, long now, in RotationResult actual, bool stateUnchanged)
    {
        var violation = Compare(family, presented, now, actual, stateUnchanged);
        if (violation is null)
        {
            Apply(family, presented, now, actual);
        }

        return violation;
    }

    /// <summary>The outcome the specification requires, with the ledger slot a replay would count.</summary>
    public static RotationOutcome Expect(FamilyModel family, Presentation presented, long now, out bool revokes)
    {
        revokes = false;
        var behind = family.Generation - presented.Generation;
        if (presented.Forged || behind < 0 || behind > family.Policy.MaxGenerations)
        {
            return RotationOutcome.Invalid;
        }

        if (family.Revoked)
        {
            return RotationOutcome.Revoked;
        }

        if (now >= family.FamilyExpiresAt || now >= family.TokenExpiresAt)
        {
            return RotationOutcome.Expired;
        }

        var bindingMatches = family.Binding is null || string.Equals(family.Binding, presented.Binding, StringComparison.Ordinal);
        if (behind == 0)
        {
            if (!bindingMatches)
            {
                revokes = family.Policy.BindingMismatchRevokes;
                return RotationOutcome.BindingMismatch;
            }

            return family.Generation >= family.Policy.MaxGenerations ? RotationOutcome.Expired : RotationOutcome.Rotated;
        }

        if (!WithinGrace(family, presented.Generation, behind, now))
        {
            revokes = true;
            return RotationOutcome.ReuseDetected;
        }

        if (!bindingMatches)
        {
            revokes = family.Policy.BindingMismatchRevokes;
            return RotationOutcome.BindingMismatch;
        }

        return RotationOutcome.GraceReplay;
    }

    private static bool WithinGrace(FamilyModel family, int generation, int behind, long now)
    {
        var policy = family.Policy;
        var window = (long)policy.GraceWindow.TotalMilliseconds;
        if (window == 0 || behind > policy.GraceDepth || behind > family.Slots)
        {
            return false;
        }

        var retiredAt = family.RetiredAt[behind - 1];
        if (now >= retiredAt + window)
        {
            return false;
        }

        long issuedAt;
        if (generation == 0)
        {
            issuedAt = family.CreatedAt;
        }
        else if (behind < family.Slots)
        {
            issuedAt = family.RetiredAt[behind];
        }
        else
        {
            return false;
        }

        if (now >= issuedAt + (long)policy.TokenLifetime.TotalMilliseconds)
        {
            return false;
        }

        return policy.GraceMaxReplays is not int max || family.Replays[behind - 1] < max;
    }

    private static InvariantViolation? Compare(FamilyModel family, Presentation presented, long now, in RotationResult actual, bool stateUnchanged)
    {
        var expected = Expect(family, presented, now, out _);
        var behind = family.Generation - presented.Generation;
        var got = actual.Outcome;
        InvariantViolation Fail(int invariant, string detail) => new(invariant, detail, now, family.Id);
        string Describe() => string.Create(CultureInfo.InvariantCulture,
            $"family #{family.Id} at generation {family.Generation}{(family.Revoked ? " (revoked)" : "")}: a token of generation {presented.Generation}{(presented.Forged ? " (forged)" : "")} got {got}, the specification requires {expected}");

        if (presented.Forged)
        {
            return got != RotationOutcome.Invalid ? Fail(6, Describe())
                : !stateUnchanged ? Fail(6, $"family #{family.Id}: a forged token changed the family's stored state")
                : null;
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

            return null;
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
