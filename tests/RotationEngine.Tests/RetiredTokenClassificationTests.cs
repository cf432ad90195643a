using RotationEngine.Internal;
using RotationEngine.Storage;
using RotationEngine.Testing;

namespace RotationEngine.Tests;

/// <summary>
/// The classifier's rules (docs/semantics.md §5–§6) on a fixed family: a fixed key, family id, secret and times, built
/// the way the engine builds them (generation 0 issued at T0, rotated to generation 1 at T1). Fixed inputs make the
/// grace ledger's slot MAC a golden vector.
/// </summary>
public sealed class RetiredTokenClassificationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T1 = T0.AddSeconds(5);
    private static readonly FamilyId Id = FamilyId.FromBytes(Enumerable.Range(1, FamilyId.Size).Select(i => (byte)i).ToArray());
    private static readonly Keys.ChainKey Key = TestKeys.Primary;

    private static readonly RotationPolicy Policy = new()
    {
        TokenLifetime = TimeSpan.FromHours(1),
        FamilyLifetime = TimeSpan.FromDays(1),
        GraceWindow = TimeSpan.FromSeconds(10),
    };

    private static readonly byte[] Secret0 = Enumerable.Repeat((byte)0x42, TokenCodec.SecretSize).ToArray();

    private static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private static FamilyRecord Sealed(FamilyRecord family) => family with { Seal = FamilySeal.Compute(Key, family) };

    /// <summary>Generation 0's token and the family as first written.</summary>
    private static (string Token, FamilyRecord Family) Issued()
    {
        var digest = new byte[FamilyColumns.DigestSize];
        var token = TokenCrypto.Issue(Key, Id, 0, Ms(T0), Secret0, digest);
        var family = new FamilyRecord
        {
            Id = Id,
            Subject = "alice",
            ClientId = "web",
            KeyId = Key.Id,
            CreatedAt = T0,
            FamilyExpiresAt = T0 + Policy.FamilyLifetime,
            TokenExpiresAt = T0 + Policy.TokenLifetime,
            Generation = 0,
            Digest = digest,
            Ledger = "",
            Policy = PolicySnapshot.Of(Policy),
            Seal = [],
        };
        return (token, Sealed(family));
    }

    /// <summary>Generation 1 issued at <paramref name="issuedAt"/>: its token and secret.</summary>
    private static (string Token, byte[] Secret, byte[] Digest) Child(DateTimeOffset issuedAt)
    {
        var secret = new byte[TokenCodec.SecretSize];
        var tag = new byte[TokenCodec.TagSize];
        var digest = new byte[FamilyColumns.DigestSize];
        TokenCrypto.DeriveChild(Key, Id, 1, Secret0, secret);
        TokenCrypto.Mac(Key, Id, 1, Ms(issuedAt), secret, tag, digest);
        return (TokenCodec.Format(Key.Fingerprint, Id, 1, Ms(issuedAt), secret, tag), secret, digest);
    }

    /// <summary>The family after generation 0 rotated to 1 at <see cref="T1"/>.</summary>
    private static FamilyRecord Rotated()
    {
        var (_, family) = Issued();
        var (_, _, digest) = Child(T1);
        return family with
        {
            Generation = 1,
            Digest = digest,
            TokenExpiresAt = T1 + Policy.TokenLifetime,
            Ledger = GraceLedger.NewSlot(T1, digest),
        };
    }

    private static Verdict Classify(string token, FamilyRecord family, DateTimeOffset now, string? binding = null)
    {
        Assert.True(TokenCodec.TryParse(token, out var parsed));
        var digest = new byte[FamilyColumns.DigestSize];
        Assert.True(TokenCrypto.Verify(Key, parsed, digest));
        return Classifier.Classify(Key, parsed, digest, family, "web", binding, now);
    }

    private static OutcomeCause CheckRevocation(string token, FamilyRecord family)
    {
        Assert.True(TokenCodec.TryParse(token, out var parsed));
        var digest = new byte[FamilyColumns.DigestSize];
        Assert.True(TokenCrypto.Verify(Key, parsed, digest));
        return Classifier.CheckRevocation(Key, parsed, digest, family, "web");
    }

    [Fact]
    public void Replayed_ledger_slots_carry_their_golden_MAC()
    {
        // Golden vectors: stored ledgers carry these MACs, so a change to the MAC input (its label, the family id, the
        // retired generation, the retirement time, the saturated replay count or the successor's digest piece) would
        // make every replayed slot in every store fail its check after an upgrade. Computed once with this code.
        var (token0, _) = Issued();
        var family = Rotated();

        var first = Classify(token0, family, T1.AddSeconds(2));
        Assert.Equal((RotationOutcome.GraceReplay, NextStep.Replay), (first.Outcome, first.Step));
        Assert.Equal("019CA9451D880001775820912C1ABBDF", first.ReplayedSlot);

        // The second replay checks the first one's MAC before counting again.
        var second = Classify(token0, family with { Ledger = first.ReplayedSlot! }, T1.AddSeconds(3));
        Assert.Equal(RotationOutcome.GraceReplay, second.Outcome);
        Assert.Equal("019CA9451D88000287EAFB3F3E762855", second.ReplayedSlot);

        // A slot whose MAC does not check (here: another replay count) does not continue the chain.
        var forged = GraceLedger.Slot(T1, 2, Convert.FromHexString(first.ReplayedSlot![^(2 * GraceLedger.DigestPieceSize)..]));
        var refused = Classify(token0, family with { Ledger = forged }, T1.AddSeconds(3));
        Assert.Equal((RotationOutcome.Invalid, OutcomeCause.RecordMismatch, true), (refused.Outcome, refused.Cause, refused.Trusted));
    }

    [Fact]
    public void A_replayed_slot_of_a_later_generation_carries_its_golden_MAC()
    {
        // Generation 1 retired by generation 2 at T2: the retired generation is part of the MAC input, so this slot
        // differs from generation 0's (golden, computed once with this code).
        var t2 = T1.AddSeconds(5);
        var (token1, secret1, _) = Child(T1);
        var secret2 = new byte[TokenCodec.SecretSize];
        var tag2 = new byte[TokenCodec.TagSize];
        var digest2 = new byte[FamilyColumns.DigestSize];
        TokenCrypto.DeriveChild(Key, Id, 2, secret1, secret2);
        TokenCrypto.Mac(Key, Id, 2, Ms(t2), secret2, tag2, digest2);
        var family = Rotated() with
        {
            Generation = 2,
            Digest = digest2,
            TokenExpiresAt = t2 + Policy.TokenLifetime,
            Ledger = GraceLedger.NewSlot(t2, digest2),
        };

        var replay = Classify(token1, family, t2.AddSeconds(2));

        Assert.Equal((RotationOutcome.GraceReplay, NextStep.Replay), (replay.Outcome, replay.Step));
        Assert.Equal(secret2, ((ReadOnlySpan<byte>)replay.CurrentSecret).ToArray());
        Assert.Equal("019CA9453110000125BEBB3B9CF564DE", replay.ReplayedSlot);
    }

    [Fact]
    public void A_replay_hands_over_the_current_secret_and_a_reuse_clears_it()
    {
        var (token0, _) = Issued();
        var family = Rotated();
        var (_, secret1, _) = Child(T1);

        var replay = Classify(token0, family, T1.AddSeconds(2));
        Assert.Equal(secret1, ((ReadOnlySpan<byte>)replay.CurrentSecret).ToArray());

        var reuse = Classify(token0, family, T1.AddSeconds(10));
        Assert.Equal((RotationOutcome.ReuseDetected, OutcomeCause.GraceWindowElapsed), Outcome(reuse));
        Assert.True(((ReadOnlySpan<byte>)reuse.CurrentSecret).IndexOfAnyExcept((byte)0) < 0, "The reuse verdict kept the current secret.");
        Assert.True(((ReadOnlySpan<byte>)reuse.CurrentTag).IndexOfAnyExcept((byte)0) < 0, "The reuse verdict kept the current tag.");
    }

    [Fact]
    public void A_retired_token_expires_exactly_with_the_current_tokens_idle_expiry()
    {
        var (token0, _) = Issued();
        var family = Rotated();

        Assert.Equal((RotationOutcome.ReuseDetected, OutcomeCause.GraceWindowElapsed), Outcome(Classify(token0, family, family.TokenExpiresAt.AddMilliseconds(-1))));
        var expired = Classify(token0, family, family.TokenExpiresAt);
        Assert.Equal((RotationOutcome.Expired, OutcomeCause.TokenExpired), Outcome(expired));
        Assert.Equal(NextStep.Answer, expired.Step);
    }

    [Fact]
    public void A_retired_token_without_its_ledger_slot_is_past_the_grace_depth()
    {
        var (token0, _) = Issued();

        var verdict = Classify(token0, Rotated() with { Ledger = "" }, T1.AddSeconds(2));

        Assert.Equal((RotationOutcome.ReuseDetected, OutcomeCause.GraceDepthExceeded), Outcome(verdict));
        Assert.Null(verdict.SinceRetirement);
    }

    [Fact]
    public void A_record_that_does_not_continue_the_tokens_chain_is_a_trusted_mismatch()
    {
        var (_, issued) = Issued();
        var (token1, _, _) = Child(T1);
        var (token1Later, _, _) = Child(T1.AddMilliseconds(1));

        // A token newer than the record: the store lost the write that made it.
        var lost = Classify(token1, issued, T1.AddSeconds(1));
        Assert.Equal((RotationOutcome.Invalid, OutcomeCause.RecordMismatch, true), (lost.Outcome, lost.Cause, lost.Trusted));

        // An authentic current-generation token whose digest is not the record's.
        var other = Classify(token1Later, Rotated(), T1.AddSeconds(1));
        Assert.Equal((RotationOutcome.Invalid, OutcomeCause.RecordMismatch, true), (other.Outcome, other.Cause, other.Trusted));
    }

    [Fact]
    public void Revocation_needs_an_active_family_and_a_token_of_its_chain_whatever_the_rows_expiry()
    {
        var (token0, _) = Issued();
        var (token1, _, _) = Child(T1);
        var family = Rotated();
        Assert.Equal(OutcomeCause.None, CheckRevocation(token0, family));
        Assert.Equal(OutcomeCause.None, CheckRevocation(token1, family));
        Assert.Equal(OutcomeCause.FamilyRevoked, CheckRevocation(token1, family with { Status = FamilyStatus.Revoked, RevokedAt = T1, RevocationReason = RevocationReason.SignOut }));

        // A row whose idle expiry was edited: the current token still proves itself by its own digest, but the walk
        // from a retired token (which derives the current issue time from that expiry) no longer reaches the record.
        var edited = family with { TokenExpiresAt = family.TokenExpiresAt.AddMilliseconds(1) };
        Assert.Equal(OutcomeCause.None, CheckRevocation(token1, edited));
        Assert.Equal(OutcomeCause.RecordMismatch, CheckRevocation(token0, edited));
    }

    private static (RotationOutcome, OutcomeCause) Outcome(Verdict verdict) => (verdict.Outcome, verdict.Cause);
}
