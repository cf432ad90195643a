using RotationEngine.Internal;
using RotationEngine.Keys;
using RotationEngine.Storage;

namespace RotationEngine;

public sealed partial class RefreshTokenEngine
{
    /// <summary>The next generation a rotation would write: its secret, tag and the compare-and-swap command.</summary>
    private struct Plan
    {
        public SecretBuffer NextSecret;
        public TagBuffer NextTag;
        public RotationCommand Command;
    }

    /// <summary>Parses and authenticates the token, then tries the optimistic rotation; a store that answers
    /// synchronously is answered without an async state machine. Behaves as an async method: every exception is in
    /// the returned task.</summary>
    private ValueTask<RotationResult> RotateCoreAsync(string? token, string? clientId, string? binding, bool commit, CancellationToken cancellationToken)
    {
        try
        {
            var now = Now();
            if (Authenticate(token, out var parsed, out var key, out var digest) is { } refusal)
            {
                return new ValueTask<RotationResult>(Refuse(commit, refusal, refusal == OutcomeCause.Malformed ? null : parsed.FamilyId, null, now));
            }

            if (!commit)
            {
                return ClassifyAndActAsync(parsed, key!, digest, clientId, binding, commit, default, now, cancellationToken);
            }

            // Optimistic path: assume the token is current. One conditional write; anything else falls through to a
            // read and a classification.
            var plan = MakePlan(parsed, key!, digest, clientId!, binding, now);
            var pending = Call("Rotate", plan.Command, cancellationToken, static (store, command, ct) => store.TryRotateAsync(command, ct));
            if (!pending.IsCompletedSuccessfully)
            {
                return AfterOptimisticRotationAsync(pending, parsed, key!, digest, clientId, binding, plan, now, cancellationToken);
            }

            var rotated = Rotated(pending.Result, key!, plan, now);
            return rotated is { } result
                ? new ValueTask<RotationResult>(result)
                : ClassifyAndActAsync(parsed, key!, digest, clientId, binding, commit, plan, now, cancellationToken);
        }
        catch (Exception exception)
        {
            return ValueTask.FromException<RotationResult>(exception);
        }
    }

    /// <summary>Takes the token apart, finds its key by fingerprint and verifies its tag: everything a forged string
    /// costs, with no store access and in time independent of the family's generation.</summary>
    /// <returns>Null when authentic; otherwise why not.</returns>
    private OutcomeCause? Authenticate(string? token, out ParsedToken parsed, out ChainKey? key, out byte[] digest)
    {
        digest = [];
        key = null;
        if (!TokenCodec.TryParse(token, out parsed))
        {
            return OutcomeCause.Malformed;
        }

        key = _keys.FindKey(parsed.Fingerprint);
        if (key is null)
        {
            return OutcomeCause.UnknownKey;
        }

        digest = new byte[FamilyColumns.DigestSize];
        return TokenCrypto.Verify(key, parsed, digest) ? null : OutcomeCause.NotAuthentic;
    }

    private Plan MakePlan(in ParsedToken parsed, ChainKey key, byte[] digest, string clientId, string? binding, DateTimeOffset now)
    {
        var plan = default(Plan);
        var newDigest = new byte[FamilyColumns.DigestSize];
        var next = parsed.Generation + 1;
        TokenCrypto.DeriveChild(key, parsed.FamilyId, next, parsed.Secret, plan.NextSecret);
        TokenCrypto.Mac(key, parsed.FamilyId, next, IssueTime(now), plan.NextSecret, plan.NextTag, newDigest);
        plan.Command = new RotationCommand(
            parsed.FamilyId,
            parsed.Generation,
            digest,
            newDigest,
            key.Id,
            clientId,
            binding,
            FamilyColumns.Time(parsed.IssuedAt),
            now,
            GraceLedger.NewSlot(now, newDigest));
        return plan;
    }

    private async ValueTask<RotationResult> AfterOptimisticRotationAsync(
        ValueTask<FamilyRecord?> pending, ParsedToken parsed, ChainKey key, byte[] digest, string? clientId, string? binding, Plan plan, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var written = await pending.ConfigureAwait(false);
        if (Rotated(written, key, plan, now) is { } rotated)
        {
            return rotated;
        }

        var classified = ClassifyAndActAsync(parsed, key, digest, clientId, binding, commit: true, plan, now, cancellationToken);
        // Stryker disable once Boolean : this method runs only for a write still pending at the check, so (but for one that finishes in the instant between the check and the await) it resumed off the caller's context above and there is none left to capture
        return await classified.ConfigureAwait(false);
    }

    /// <summary>The answer to a compare-and-swap that matched, or null when it did not. The family as written must
    /// carry the engine's seal and the plan's generation and digest; if not, the write happened on a record edited
    /// outside the engine, and the token is not handed out.</summary>
    private RotationResult? Rotated(FamilyRecord? written, ChainKey key, in Plan plan, DateTimeOffset now)
    {
        if (written is null)
        {
            return null;
        }

        if (written.Id != plan.Command.FamilyId
            || written.Generation != plan.Command.Generation + 1
            || !written.Digest.AsSpan().SequenceEqual(plan.Command.NewDigest)
            || !Classifier.IsSealed(key, written))
        {
            var cause = Classifier.IsSealed(key, written) ? OutcomeCause.RecordMismatch : OutcomeCause.Tampered;
            return Refuse(commit: true, cause, plan.Command.FamilyId, null, now);
        }

        var token = TokenCodec.Format(key.Fingerprint, written.Id, written.Generation, IssueTime(now), plan.NextSecret, plan.NextTag);
        return new RotationResult(RotationOutcome.Rotated, OutcomeCause.None, written, token, null);
    }

    /// <summary>Reads the family, classifies the token against it and acts on the verdict.</summary>
    private async ValueTask<RotationResult> ClassifyAndActAsync(
        ParsedToken parsed, ChainKey key, byte[] digest, string? clientId, string? binding, bool commit, Plan plan, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var family = await Call("Find", parsed.FamilyId, cancellationToken, static (store, id, ct) => store.FindAsync(id, ct)).ConfigureAwait(false);
            var verdict = Classifier.Classify(key, parsed, digest, family, clientId, binding, now);
            try
            {
                if (verdict.Outcome == RotationOutcome.Invalid)
                {
                    return Refuse(commit, verdict.Cause, parsed.FamilyId, verdict.Trusted ? family : null, now);
                }

                if (!commit || verdict.Step == NextStep.Answer)
                {
                    return Answer(commit, verdict, family!, now);
                }

                switch (verdict.Step)
                {
                    case NextStep.Rotate:
                        var written = await Call("Rotate", plan.Command, cancellationToken, static (store, command, ct) => store.TryRotateAsync(command, ct)).ConfigureAwait(false);
                        if (Rotated(written, key, plan, now) is { } rotated)
                        {
                            return rotated;
                        }

                        break;

                    case NextStep.Replay:
                        var ledger = GraceLedger.WithSlot(family!.Ledger, verdict.Behind!.Value - 1, verdict.ReplayedSlot!);
                        var counted = await Call("RecordReplay", (family.Id, family.Generation, family.Ledger, ledger), cancellationToken,
                            static (store, a, ct) => store.TryRecordReplayAsync(a.Id, a.Generation, a.Ledger, a.ledger, ct)).ConfigureAwait(false);
                        if (counted)
                        {
                            var current = TokenCodec.Format(key.Fingerprint, family.Id, family.Generation, IssueTime(family.CurrentIssuedAt), verdict.CurrentSecret, verdict.CurrentTag);
                            PublishOutcome(verdict, family, now);
                            return new RotationResult(RotationOutcome.GraceReplay, verdict.Cause, family with { Ledger = ledger }, current, null);
                        }

                        break;

                    case NextStep.Revoke:
                        // Only the caller whose write revokes the family reports it; one that lost the race re-reads and
                        // answers Revoked, as it would have in any sequential order (invariant 9).
                        var revokedNow = await Call("Revoke", (family!.Id, verdict.RevokeWith, now), cancellationToken,
                            static (store, a, ct) => store.TryRevokeAsync(a.Id, a.RevokeWith, a.now, ct)).ConfigureAwait(false);
                        if (!revokedNow)
                        {
                            break;
                        }

                        var revoked = family with { Status = FamilyStatus.Revoked, RevokedAt = now, RevocationReason = verdict.RevokeWith };
                        PublishOutcome(verdict, revoked, now);
                        return new RotationResult(verdict.Outcome, verdict.Cause, revoked, null, verdict.RevokeWith);
                }
            }
            // Stryker disable once Block : the block's one statement is marked below, for the same reason
            finally
            {
                // The current token's secret (derived for a replay) never outlives the attempt, whatever the path.
                // Stryker disable once Statement : the verdict is this attempt's local, dropped after the token is formatted; clearing it is hygiene only
                ((Span<byte>)verdict.CurrentSecret).Clear();
            }
        }

        var contention = new RotationStoreException($"The family changed on each of {MaxAttempts} attempts; the outcome is unknown.");
        Log.StoreFault(_logger, contention, "Rotate");
        throw contention;
    }

    /// <summary>An answer that hands out no token, for an authentic token and a trusted record.</summary>
    private RotationResult Answer(bool commit, in Verdict verdict, FamilyRecord family, DateTimeOffset now)
    {
        if (commit)
        {
            PublishOutcome(verdict, family, now);
        }

        return new RotationResult(verdict.Outcome, verdict.Cause, family, null, verdict.Outcome == RotationOutcome.Revoked ? family.RevocationReason : null);
    }

    /// <summary>An <see cref="RotationOutcome.Invalid"/> answer: no details about any family.</summary>
    private RotationResult Refuse(bool commit, OutcomeCause cause, FamilyId? claimed, FamilyRecord? trusted, DateTimeOffset now)
    {
        if (commit)
        {
            PublishInvalid(cause, claimed, trusted, now);
        }

        return new RotationResult(RotationOutcome.Invalid, cause, null, null, null);
    }
}
