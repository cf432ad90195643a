using RotationEngine.Internal;
using RotationEngine.Keys;
using RotationEngine.Storage;

namespace RotationEngine;

public sealed partial class RefreshTokenEngine
{
    private LedgerSlot? _lastSlot;

    private enum NextStep
    {
        Answer,
        Rotate,
        Replay,
        Revoke,
    }

    /// <summary>A classification of a token against a read of its family.</summary>
    private struct Verdict
    {
        public RotationOutcome Outcome;
        public OutcomeCause Cause;
        public NextStep Step;
        public RevocationReason RevokeWith;
        public int? Behind;
        public TimeSpan? SinceRetirement;
        public ChainKey? Key;
        public SecretBuffer CurrentSecret;
    }

    /// <summary>Parses, then tries the optimistic rotation; a store that answers synchronously is answered
    /// without an async state machine. Behaves as an async method: every exception is in the returned task.</summary>
    private ValueTask<RotationResult> RotateCoreAsync(string? token, string? binding, bool commit, CancellationToken cancellationToken)
    {
        try
        {
            if (!TokenCodec.TryParse(token, out var parsed))
            {
                return new ValueTask<RotationResult>(Answer(commit, RotationOutcome.Invalid, OutcomeCause.Malformed, null, default, Now()));
            }

            var now = Now();
            if (!commit)
            {
                return ClassifyAndActAsync(parsed, binding, commit, now, cancellationToken);
            }

            // Optimistic path: assume the token is current and the family uses the current key. One
            // conditional write; anything else falls through to a read and a classification.
            var pending = TryRotateAsync(parsed, _keys.CurrentKey, binding, now, cancellationToken);
            if (!pending.IsCompletedSuccessfully)
            {
                return AfterOptimisticRotationAsync(pending, parsed, binding, now, cancellationToken);
            }

            var rotated = pending.Result;
            return rotated.Token is not null
                ? new ValueTask<RotationResult>(rotated)
                : ClassifyAndActAsync(parsed, binding, commit, now, cancellationToken);
        }
        catch (Exception exception)
        {
            return ValueTask.FromException<RotationResult>(exception);
        }
    }

    private async ValueTask<RotationResult> AfterOptimisticRotationAsync(
        ValueTask<RotationResult> pending, ParsedToken parsed, string? binding, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rotated = await pending.ConfigureAwait(false);
        return rotated.Token is not null
            ? rotated
            : await ClassifyAndActAsync(parsed, binding, commit: true, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the family, classifies the token against it and acts on the verdict.</summary>
    private async ValueTask<RotationResult> ClassifyAndActAsync(ParsedToken parsed, string? binding, bool commit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var family = await Guard(_store.FindAsync(parsed.FamilyId, cancellationToken), "Find").ConfigureAwait(false);
            var verdict = Classify(parsed, family, binding, now);
            if (!commit || verdict.Step == NextStep.Answer)
            {
                return Answer(commit, verdict.Outcome, verdict.Cause, family, verdict, now);
            }

            switch (verdict.Step)
            {
                case NextStep.Rotate:
                    var rotated = await TryRotateAsync(parsed, verdict.Key!, binding, now, cancellationToken).ConfigureAwait(false);
                    if (rotated.Token is not null)
                    {
                        return rotated;
                    }

                    break;

                case NextStep.Replay:
                    var slot = verdict.Behind!.Value - 1;
                    var ledger = GraceLedger.WithReplay(family!.Ledger, slot);
                    if (await Guard(_store.TryRecordReplayAsync(family.Id, family.Generation, family.Ledger, ledger, cancellationToken), "RecordReplay").ConfigureAwait(false))
                    {
                        var current = TokenCodec.Format(family.Id, family.Generation, verdict.CurrentSecret);
                        ((Span<byte>)verdict.CurrentSecret).Clear();
                        PublishOutcome(verdict, family, now);
                        return new RotationResult(RotationOutcome.GraceReplay, verdict.Cause, family with { Ledger = ledger }, current, null);
                    }

                    break;

                case NextStep.Revoke:
                    // Only the caller whose write revokes the family reports it; one that lost the race re-reads
                    // and answers Revoked, as it would have in any sequential order (invariant 9).
                    if (!await Guard(_store.TryRevokeAsync(family!.Id, verdict.RevokeWith, now, cancellationToken), "Revoke").ConfigureAwait(false))
                    {
                        break;
                    }

                    var revoked = family with { Status = FamilyStatus.Revoked, RevokedAt = now, RevocationReason = verdict.RevokeWith };
                    PublishOutcome(verdict, revoked, now);
                    return new RotationResult(verdict.Outcome, verdict.Cause, revoked, null, verdict.RevokeWith);
            }
        }

        var contention = new RotationStoreException($"The family changed on each of {MaxAttempts} attempts; the outcome is unknown.");
        Log.StoreFault(_logger, contention, "Rotate");
        throw contention;
    }

    private ValueTask<RotationResult> TryRotateAsync(ParsedToken parsed, ChainKey key, string? binding, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var next = default(SecretBuffer);
        HashChain.DeriveChild(key, parsed.FamilyId, parsed.Generation + 1, parsed.Secret, next);
        var command = new RotationCommand(
            parsed.FamilyId,
            parsed.Generation,
            HashChain.Digest(parsed.Secret),
            HashChain.Digest(next),
            key.Id,
            binding,
            now,
            LedgerSlotFor(now));

        // A store that answers synchronously (the in-memory store) is answered without an async state machine;
        // anything else, faults included, goes through Guard.
        var pending = _store.TryRotateAsync(command, cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            var result = Rotated(pending.Result, next);
            ((Span<byte>)next).Clear();
            return new ValueTask<RotationResult>(result);
        }

        return AwaitRotationAsync(pending, next);
    }

    private async ValueTask<RotationResult> AwaitRotationAsync(ValueTask<FamilyRecord?> pending, SecretBuffer next)
    {
        var family = await Guard(pending, "Rotate").ConfigureAwait(false);
        var result = Rotated(family, next);
        ((Span<byte>)next).Clear();
        return result;
    }

    private static RotationResult Rotated(FamilyRecord? family, in SecretBuffer next) =>
        family is null
            ? default
            : new RotationResult(RotationOutcome.Rotated, OutcomeCause.None, family, TokenCodec.Format(family.Id, family.Generation, next), null);

    /// <summary>The ledger slot of a retirement at <paramref name="now"/>. Every rotation within one millisecond
    /// retires at the same time, so the slot text is made once per millisecond and shared (strings are immutable).</summary>
    private string LedgerSlotFor(DateTimeOffset now)
    {
        var milliseconds = now.ToUnixTimeMilliseconds();
        var last = Volatile.Read(ref _lastSlot);
        if (last is not null && last.Milliseconds == milliseconds)
        {
            return last.Slot;
        }

        var slot = GraceLedger.NewSlot(now);
        Volatile.Write(ref _lastSlot, new LedgerSlot(milliseconds, slot));
        return slot;
    }

    private RotationResult Answer(bool commit, RotationOutcome outcome, OutcomeCause cause, FamilyRecord? family, in Verdict verdict, DateTimeOffset now)
    {
        // Only an authenticated token earns details about its family.
        var known = outcome == RotationOutcome.Invalid ? null : family;
        if (commit)
        {
            var published = verdict with { Outcome = outcome, Cause = cause };
            PublishOutcome(published, known, now, outcome == RotationOutcome.Invalid ? family?.Id : null);
        }

        return new RotationResult(outcome, cause, known, null, outcome == RotationOutcome.Revoked ? family?.RevocationReason : null);
    }

    /// <summary>Walks the chain from the presented secret to the family's current generation.</summary>
    /// <returns><see cref="OutcomeCause.None"/> when authentic; otherwise why not.</returns>
    private OutcomeCause Authenticate(in ParsedToken token, FamilyRecord family, out ChainKey? key, out SecretBuffer current)
    {
        current = default;
        key = _keys.FindKey(family.KeyId);
        if (key is null)
        {
            return OutcomeCause.UnknownKey;
        }

        var behind = family.Generation - token.Generation;
        if (behind < 0)
        {
            return OutcomeCause.NotAuthentic;
        }

        if (behind > family.Policy.MaxGenerations)
        {
            return OutcomeCause.TooFarBehind;
        }

        current = token.Secret;
        for (var generation = token.Generation + 1; generation <= family.Generation; generation++)
        {
            HashChain.DeriveChild(key, token.FamilyId, generation, current, current);
        }

        if (!HashChain.Matches(current, family.Digest))
        {
            ((Span<byte>)current).Clear();
            return OutcomeCause.NotAuthentic;
        }

        return OutcomeCause.None;
    }

    private Verdict Classify(in ParsedToken token, FamilyRecord? family, string? binding, DateTimeOffset now)
    {
        var verdict = new Verdict { Outcome = RotationOutcome.Invalid, Step = NextStep.Answer };
        if (family is null)
        {
            verdict.Cause = OutcomeCause.UnknownFamily;
            return verdict;
        }

        verdict.Cause = Authenticate(token, family, out verdict.Key, out verdict.CurrentSecret);
        if (verdict.Cause != OutcomeCause.None)
        {
            return verdict;
        }

        var behind = family.Generation - token.Generation;
        verdict.Behind = behind;
        var policy = family.Policy;
        if (family.Status == FamilyStatus.Revoked)
        {
            return verdict with { Outcome = RotationOutcome.Revoked, Cause = OutcomeCause.FamilyRevoked };
        }

        if (now >= family.FamilyExpiresAt || now >= family.TokenExpiresAt)
        {
            var cause = now >= family.FamilyExpiresAt ? OutcomeCause.FamilyExpired : OutcomeCause.TokenExpired;
            return verdict with { Outcome = RotationOutcome.Expired, Cause = cause };
        }

        var bindingMatches = family.Binding is null || string.Equals(family.Binding, binding, StringComparison.Ordinal);
        var mismatch = verdict with
        {
            Outcome = RotationOutcome.BindingMismatch,
            Cause = OutcomeCause.BindingMismatch,
            Step = policy.BindingMismatchRevokes ? NextStep.Revoke : NextStep.Answer,
            RevokeWith = RevocationReason.BindingMismatch,
        };

        if (behind == 0)
        {
            if (!bindingMatches)
            {
                return mismatch;
            }

            return family.Generation >= policy.MaxGenerations
                ? verdict with { Outcome = RotationOutcome.Expired, Cause = OutcomeCause.GenerationLimit }
                : verdict with { Outcome = RotationOutcome.Rotated, Cause = OutcomeCause.None, Step = NextStep.Rotate };
        }

        var grace = EvaluateGrace(family, token.Generation, behind, now, out verdict.SinceRetirement);
        if (grace != OutcomeCause.WithinGrace)
        {
            return verdict with
            {
                Outcome = RotationOutcome.ReuseDetected,
                Cause = grace,
                Step = NextStep.Revoke,
                RevokeWith = RevocationReason.ReuseDetected,
            };
        }

        if (!bindingMatches)
        {
            return mismatch with { SinceRetirement = verdict.SinceRetirement };
        }

        return verdict with { Outcome = RotationOutcome.GraceReplay, Cause = OutcomeCause.WithinGrace, Step = NextStep.Replay };
    }

    /// <summary>The grace rule (SEMANTICS.md §6) for retired generation <paramref name="generation"/>.</summary>
    private static OutcomeCause EvaluateGrace(FamilyRecord family, int generation, int behind, DateTimeOffset now, out TimeSpan? sinceRetirement)
    {
        var policy = family.Policy;
        var known = GraceLedger.TryRead(family.Ledger, behind - 1, out var retiredAt, out var replays);
        sinceRetirement = known ? now - retiredAt : null;
        if (policy.GraceWindow == TimeSpan.Zero)
        {
            return OutcomeCause.GraceWindowElapsed;
        }

        if (behind > policy.GraceDepth || !known)
        {
            return OutcomeCause.GraceDepthExceeded;
        }

        if (now >= retiredAt + policy.GraceWindow)
        {
            return OutcomeCause.GraceWindowElapsed;
        }

        // The retired token's own idle expiry: its issue time (the retirement of its parent) plus the lifetime.
        DateTimeOffset issuedAt;
        if (generation == 0)
        {
            issuedAt = family.CreatedAt;
        }
        else if (!GraceLedger.TryRead(family.Ledger, behind, out issuedAt, out _))
        {
            return OutcomeCause.GraceDepthExceeded;
        }

        if (now >= issuedAt + policy.TokenLifetime)
        {
            return OutcomeCause.RetiredTokenExpired;
        }

        return policy.GraceMaxReplays is int max && replays >= max
            ? OutcomeCause.GraceReplaysExhausted
            : OutcomeCause.WithinGrace;
    }

    /// <summary>A ledger slot and the millisecond it records.</summary>
    private sealed record LedgerSlot(long Milliseconds, string Slot);
}
