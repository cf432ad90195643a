using System.Security.Cryptography;
using RotationEngine.Keys;
using RotationEngine.Storage;

namespace RotationEngine.Internal;

/// <summary>
/// The rules of docs/semantics.md §5–§6 for a token whose tag has verified, as a pure function of the token, the
/// record the store returned, the presenting client and binding, and the time. No store, no clock, no log. Every
/// secret it derives is cleared before it returns, except the current secret it hands over for a replay.
/// </summary>
internal static class Classifier
{
    /// <summary>Classifies <paramref name="token"/> (tag verified under <paramref name="key"/>, whose store digest is
    /// <paramref name="digest"/>) against <paramref name="family"/> as the store returned it, for the presenting
    /// <paramref name="clientId"/> (null when the caller does not say: inspection) and <paramref name="binding"/>,
    /// at <paramref name="now"/>.</summary>
    public static Verdict Classify(ChainKey key, in ParsedToken token, ReadOnlySpan<byte> digest, FamilyRecord? family, string? clientId, string? binding, DateTimeOffset now)
    {
        if (family is null)
        {
            return Verdict.Invalid(OutcomeCause.UnknownFamily);
        }

        if (!IsSealed(key, family))
        {
            return Verdict.Invalid(OutcomeCause.Tampered);
        }

        if (clientId is not null && !string.Equals(family.ClientId, clientId, StringComparison.Ordinal))
        {
            return Verdict.Invalid(OutcomeCause.ClientMismatch) with { Trusted = true };
        }

        var behind = family.Generation - token.Generation;
        if (behind < 0)
        {
            // An authentic token newer than the record: the store lost the write that made it.
            return Verdict.Invalid(OutcomeCause.RecordMismatch) with { Trusted = true };
        }

        // Stryker disable once Boolean : Trusted is read only for an Invalid outcome, and every verdict built from this one sets another outcome
        var verdict = new Verdict { Behind = behind, Trusted = true, Step = NextStep.Answer };
        if (family.Status == FamilyStatus.Revoked)
        {
            return verdict with { Outcome = RotationOutcome.Revoked, Cause = OutcomeCause.FamilyRevoked };
        }

        var policy = family.Policy;
        if (now >= family.FamilyExpiresAt)
        {
            return verdict with { Outcome = RotationOutcome.Expired, Cause = OutcomeCause.FamilyExpired };
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
            // The token's own issue time is authenticated; the row's expiry is not.
            if (now >= FamilyColumns.Time(token.IssuedAt) + policy.TokenLifetime)
            {
                return verdict with { Outcome = RotationOutcome.Expired, Cause = OutcomeCause.TokenExpired };
            }

            if (!CryptographicOperations.FixedTimeEquals(digest, family.Digest))
            {
                return Verdict.Invalid(OutcomeCause.RecordMismatch) with { Trusted = true };
            }

            if (!bindingMatches)
            {
                return mismatch;
            }

            return family.Generation >= policy.MaxGenerations
                ? verdict with { Outcome = RotationOutcome.Expired, Cause = OutcomeCause.GenerationLimit }
                : verdict with { Outcome = RotationOutcome.Rotated, Cause = OutcomeCause.None, Step = NextStep.Rotate };
        }

        // A retired token. The current token's idle expiry ends every grace (the walk below checks the row's).
        if (now >= family.TokenExpiresAt)
        {
            return verdict with { Outcome = RotationOutcome.Expired, Cause = OutcomeCause.TokenExpired };
        }

        Span<byte> slotCheck = stackalloc byte[GraceLedger.DigestPieceSize];
        var grace = EvaluateGrace(family, token, behind, now, slotCheck, out var retiredAt, out var replays, out verdict.SinceRetirement);
        var withinGrace = grace == OutcomeCause.WithinGrace;

        // Walk to the current generation: at most GraceDepth steps for a replay, and once per family before a reuse
        // revokes it (proof that the token is of this chain: a leaked key alone cannot revoke a family). Within grace
        // the ledger slot the rule read (retirement time and replay count) is checked too.
        var slot = withinGrace ? new SlotClaim(retiredAt, replays) : (SlotClaim?)null;
        if (!WalksToCurrent(key, token, family, slot, slotCheck, ref verdict.CurrentSecret, ref verdict.CurrentTag, out var successorPiece))
        {
            // Stryker disable once Statement : the verdict is dropped (a fresh Invalid one is returned); clearing a discarded stack copy is hygiene only
            Clear(ref verdict);
            return Verdict.Invalid(OutcomeCause.RecordMismatch) with { Trusted = true };
        }

        if (!withinGrace)
        {
            Clear(ref verdict);
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
            // Stryker disable once Statement : the answer is the mismatch verdict copied before the walk (no secret in it); the local is dropped
            Clear(ref verdict);
            return mismatch with { SinceRetirement = verdict.SinceRetirement };
        }

        Span<byte> check = stackalloc byte[GraceLedger.DigestPieceSize];
        SlotMac(key, token.FamilyId, token.Generation, retiredAt, replays + 1, successorPiece, check);
        verdict.ReplayedSlot = GraceLedger.Slot(retiredAt, replays + 1, check);
        return verdict with { Outcome = RotationOutcome.GraceReplay, Cause = OutcomeCause.WithinGrace, Step = NextStep.Replay };
    }

    /// <summary>What a ledger slot claims about the presented token's retirement.</summary>
    private readonly record struct SlotClaim(DateTimeOffset RetiredAt, int Replays);

    /// <summary>The check value of a slot that has replayed: a MAC under the seal sub-key of the retired generation,
    /// its retirement time, its replay count and the successor's digest piece. A slot that has not replayed keeps the
    /// piece itself (the rotation's single write cannot compute a MAC over the row it has not read).</summary>
    private static void SlotMac(ChainKey key, FamilyId familyId, int retiredGeneration, DateTimeOffset retiredAt, int replays, ReadOnlySpan<byte> successorPiece, Span<byte> check)
    {
        Span<byte> input = stackalloc byte[6 + FamilyId.Size + 4 + 8 + 4 + GraceLedger.DigestPieceSize];
        "ledger"u8.CopyTo(input);
        familyId.WriteBytes(input[6..]);
        var rest = input[(6 + FamilyId.Size)..];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(rest, retiredGeneration);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(rest[4..], FamilyColumns.Milliseconds(retiredAt));
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(rest[12..], Math.Min(replays, ushort.MaxValue));
        successorPiece.CopyTo(rest[16..]);
        Span<byte> output = stackalloc byte[32];
        key.Seal.Compute(input, output);
        output[..GraceLedger.DigestPieceSize].CopyTo(check);
    }

    /// <summary>Why <paramref name="token"/> may not revoke <paramref name="family"/> (RFC 7009), or
    /// <see cref="OutcomeCause.None"/> when it may: the record is sealed, of the client (when given), active, and the
    /// token is of its chain (current, or walked forward to the current digest), whatever the expiries.</summary>
    public static OutcomeCause CheckRevocation(ChainKey key, in ParsedToken token, ReadOnlySpan<byte> digest, FamilyRecord? family, string? clientId)
    {
        if (family is null)
        {
            return OutcomeCause.UnknownFamily;
        }

        if (!IsSealed(key, family))
        {
            return OutcomeCause.Tampered;
        }

        if (clientId is not null && !string.Equals(family.ClientId, clientId, StringComparison.Ordinal))
        {
            return OutcomeCause.ClientMismatch;
        }

        if (family.Status == FamilyStatus.Revoked)
        {
            return OutcomeCause.FamilyRevoked;
        }

        var behind = family.Generation - token.Generation;
        if (behind == 0)
        {
            return CryptographicOperations.FixedTimeEquals(digest, family.Digest) ? OutcomeCause.None : OutcomeCause.RecordMismatch;
        }

        var current = default(SecretBuffer);
        var tag = default(TagBuffer);
        // Stryker disable once Equality : behind == 0 has returned above, so > 0 and >= 0 agree
        var proved = behind > 0 && WalksToCurrent(key, token, family, null, default, ref current, ref tag, out _);
        // Stryker disable once Statement : the walked secret is a local dropped on return; clearing it is hygiene only
        ((Span<byte>)current).Clear();
        return proved ? OutcomeCause.None : OutcomeCause.RecordMismatch;
    }

    /// <summary>Whether the record is within the engine's limits and its identity seal verifies under the key.</summary>
    public static bool IsSealed(ChainKey key, FamilyRecord family) => InputRules.IsWithinLimits(family) && FamilySeal.Verify(key, family);

    /// <summary>The grace rule (docs/semantics.md §6) for a retired token <paramref name="behind"/> generations back.</summary>
    private static OutcomeCause EvaluateGrace(FamilyRecord family, in ParsedToken token, int behind, DateTimeOffset now, Span<byte> slotCheck, out DateTimeOffset retiredAt, out int replays, out TimeSpan? sinceRetirement)
    {
        var policy = family.Policy;
        var known = GraceLedger.TryRead(family.Ledger, behind - 1, out retiredAt, out replays, slotCheck);
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

        // The retired token's own idle expiry, from its authenticated issue time.
        if (now >= FamilyColumns.Time(token.IssuedAt) + policy.TokenLifetime)
        {
            return OutcomeCause.RetiredTokenExpired;
        }

        return policy.GraceMaxReplays is int max && replays >= max
            ? OutcomeCause.GraceReplaysExhausted
            : OutcomeCause.WithinGrace;
    }

    /// <summary>Derives the current secret from the presented one and checks it against the record's digest (with the
    /// current token's issue time, which the row's expiry implies). With a <paramref name="slot"/> claim, also checks
    /// the ledger slot: the presented token's successor was issued at the claimed retirement time (its digest piece)
    /// and, once the slot has replayed, the slot's MAC.</summary>
    private static bool WalksToCurrent(ChainKey key, in ParsedToken token, FamilyRecord family, SlotClaim? slot, ReadOnlySpan<byte> slotCheck, ref SecretBuffer current, ref TagBuffer currentTag, out SuccessorPiece successorPiece)
    {
        Span<byte> digest = stackalloc byte[FamilyColumns.DigestSize];
        Span<byte> expected = stackalloc byte[GraceLedger.DigestPieceSize];
        successorPiece = default;
        current = token.Secret;
        for (var generation = token.Generation + 1; generation <= family.Generation; generation++)
        {
            TokenCrypto.DeriveChild(key, token.FamilyId, generation, current, current);
            if (generation == token.Generation + 1 && slot is { } claim)
            {
                TokenCrypto.Mac(key, token.FamilyId, generation, FamilyColumns.Milliseconds(claim.RetiredAt), current, currentTag, digest);
                digest[..GraceLedger.DigestPieceSize].CopyTo(successorPiece);
                if (claim.Replays == 0)
                {
                    digest[..GraceLedger.DigestPieceSize].CopyTo(expected);
                }
                else
                {
                    SlotMac(key, token.FamilyId, token.Generation, claim.RetiredAt, claim.Replays, successorPiece, expected);
                }

                if (!CryptographicOperations.FixedTimeEquals(expected, slotCheck))
                {
                    return false;
                }
            }
        }

        TokenCrypto.Mac(key, token.FamilyId, family.Generation, FamilyColumns.Milliseconds(family.CurrentIssuedAt), current, currentTag, digest);
        return CryptographicOperations.FixedTimeEquals(digest, family.Digest);
    }

    private static void Clear(ref Verdict verdict)
    {
        ((Span<byte>)verdict.CurrentSecret).Clear();
        ((Span<byte>)verdict.CurrentTag).Clear();
    }
}
