namespace RotationEngine.Testing.Specification;

/// <summary>
/// The rules of docs/semantics.md §4–§6 as pure functions on <see cref="FamilyState"/>: what presenting a token answers,
/// what the answer does to the family, the grace rule, revocation, listing and pruning. Written from the specification,
/// not from the engine's code, so that a disagreement means one of them is wrong. The property suite's model and the
/// simulator's oracle both ask it; neither states a rule of its own. Forged strings are not its business: they are
/// refused before any family is known (§9, invariant 12), and the checkers that make them say which cause they expect.
/// </summary>
public static class RotationSpecification
{
    /// <summary>A duration in whole milliseconds, the model's unit of time.</summary>
    public static long Ms(TimeSpan value) => (long)value.TotalMilliseconds;

    /// <summary>The answer to rotating the authentic token of <paramref name="generation"/> of <paramref name="family"/>,
    /// presented by <paramref name="clientId"/> with <paramref name="binding"/> at <paramref name="now"/> (§5–§6).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="generation"/> is negative (no token has one).</exception>
    public static SpecifiedAnswer Rotate(FamilyState family, int generation, string clientId, string? binding, long now)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentOutOfRangeException.ThrowIfNegative(generation);
        if (family.Pruned)
        {
            return Invalid(OutcomeCause.UnknownFamily);
        }

        // Another client learns nothing about the family: before the revoked and expired checks (§9).
        if (!string.Equals(clientId, family.ClientId, StringComparison.Ordinal))
        {
            return Invalid(OutcomeCause.ClientMismatch);
        }

        // An authentic token newer than its record: the store lost writes (§9).
        if (generation > family.Generation)
        {
            return Invalid(OutcomeCause.RecordMismatch);
        }

        if (family.Revoked)
        {
            return Refused(family, RotationOutcome.Revoked, OutcomeCause.FamilyRevoked);
        }

        if (now >= family.FamilyExpiresAt)
        {
            return Refused(family, RotationOutcome.Expired, OutcomeCause.FamilyExpired);
        }

        // The current token's idle expiry: for the current token its own, for a retired one the end of every grace.
        if (now >= family.TokenExpiresAt)
        {
            return Refused(family, RotationOutcome.Expired, OutcomeCause.TokenExpired);
        }

        var bindingMatches = family.Binding is null || string.Equals(family.Binding, binding, StringComparison.Ordinal);
        if (generation == family.Generation)
        {
            if (!bindingMatches)
            {
                return Mismatch(family);
            }

            return family.Generation >= family.Policy.MaxGenerations
                ? Refused(family, RotationOutcome.Expired, OutcomeCause.GenerationLimit)
                : new SpecifiedAnswer(RotationOutcome.Rotated, OutcomeCause.None, family.Generation + 1, Revokes: false);
        }

        var grace = GraceRule(family, generation, now);
        if (grace != OutcomeCause.WithinGrace)
        {
            return new SpecifiedAnswer(RotationOutcome.ReuseDetected, grace, family.Generation, Revokes: true);
        }

        return bindingMatches
            ? new SpecifiedAnswer(RotationOutcome.GraceReplay, OutcomeCause.WithinGrace, family.Generation, Revokes: false)
            : Mismatch(family);
    }

    /// <summary>What inspecting the token answers (§4 Inspect): the rotation's answer, with nothing rotated, replayed or
    /// revoked, so a <see cref="RotationOutcome.Rotated"/> reports the current generation.</summary>
    public static SpecifiedAnswer Inspect(FamilyState family, int generation, string clientId, string? binding, long now)
    {
        var answer = Rotate(family, generation, clientId, binding, now);
        return answer with { Generation = answer.Outcome == RotationOutcome.Rotated ? answer.Generation - 1 : answer.Generation, Revokes = false };
    }

    /// <summary>The family after <paramref name="answer"/> to presenting <paramref name="generation"/> at
    /// <paramref name="now"/> took effect: a rotation issues the next generation, a replay is counted, a revoking answer
    /// revokes. Other answers change nothing.</summary>
    public static FamilyState Apply(FamilyState family, int generation, SpecifiedAnswer answer, long now)
    {
        ArgumentNullException.ThrowIfNull(family);
        return answer.Outcome switch
        {
            RotationOutcome.Rotated => family with { IssuedAt = family.IssuedAt.Add(now) },
            RotationOutcome.GraceReplay => family with { Replays = family.Replays.SetItem(generation, Math.Min(family.ReplaysOf(generation) + 1, ushort.MaxValue)) },
            _ when answer.Revokes => Revoke(family, now),
            _ => family,
        };
    }

    /// <summary>The grace rule (§6) for the retired <paramref name="generation"/>: <see cref="OutcomeCause.WithinGrace"/>
    /// when the window is on, the token is within depth, inside the window since its retirement, before its own idle
    /// expiry, with replays left; otherwise why not.</summary>
    public static OutcomeCause GraceRule(FamilyState family, int generation, long now)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentOutOfRangeException.ThrowIfNegative(generation);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(generation, family.Generation);
        var policy = family.Policy;
        if (policy.GraceWindow == TimeSpan.Zero)
        {
            return OutcomeCause.GraceWindowElapsed;
        }

        if (family.Generation - generation > policy.GraceDepth)
        {
            return OutcomeCause.GraceDepthExceeded;
        }

        var retiredAt = family.IssuedAtOf(generation + 1);
        if (now >= retiredAt + Ms(policy.GraceWindow))
        {
            return OutcomeCause.GraceWindowElapsed;
        }

        if (now >= family.TokenExpiryOf(generation))
        {
            return OutcomeCause.RetiredTokenExpired;
        }

        return policy.GraceMaxReplays is int max && family.ReplaysOf(generation) >= max
            ? OutcomeCause.GraceReplaysExhausted
            : OutcomeCause.WithinGrace;
    }

    /// <summary>Whether a revocation (of the family, by a token, or of its subject) revokes it now (§4): the store still
    /// holds it and it is not revoked yet.</summary>
    public static bool CanRevoke(FamilyState family)
    {
        ArgumentNullException.ThrowIfNull(family);
        return !family.Pruned && !family.Revoked;
    }

    /// <summary>The family revoked at <paramref name="now"/> (unchanged if <see cref="CanRevoke"/> is false: revocation is
    /// final and happens once).</summary>
    public static FamilyState Revoke(FamilyState family, long now) =>
        CanRevoke(family) ? family with { Revoked = true, RevokedAt = now } : family;

    /// <summary>Whether a prune at <paramref name="now"/> with <paramref name="retention"/> removes the family (§4 Prune):
    /// its current token, the family itself, or its revocation ended more than the retention ago.</summary>
    public static bool IsPrunable(FamilyState family, long now, TimeSpan retention)
    {
        ArgumentNullException.ThrowIfNull(family);
        var cutoff = now - Ms(retention);
        return !family.Pruned && (family.TokenExpiresAt < cutoff || family.FamilyExpiresAt < cutoff || (family.Revoked && family.RevokedAt < cutoff));
    }

    /// <summary>The instant after which a prune with <paramref name="retention"/> may remove the family.</summary>
    public static long PrunableAfter(FamilyState family, TimeSpan retention)
    {
        ArgumentNullException.ThrowIfNull(family);
        return Math.Min(Math.Min(family.TokenExpiresAt, family.FamilyExpiresAt), family.RevokedAt ?? long.MaxValue) + Ms(retention);
    }

    private static SpecifiedAnswer Invalid(OutcomeCause cause) => new(RotationOutcome.Invalid, cause, 0, Revokes: false);

    private static SpecifiedAnswer Refused(FamilyState family, RotationOutcome outcome, OutcomeCause cause) => new(outcome, cause, family.Generation, Revokes: false);

    private static SpecifiedAnswer Mismatch(FamilyState family) =>
        new(RotationOutcome.BindingMismatch, OutcomeCause.BindingMismatch, family.Generation, family.Policy.BindingMismatchRevokes);
}
