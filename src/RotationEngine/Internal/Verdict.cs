namespace RotationEngine.Internal;

/// <summary>A classification of an authentic token against a read of its family.</summary>
internal struct Verdict
{
    public RotationOutcome Outcome;
    public OutcomeCause Cause;
    public NextStep Step;
    public RevocationReason RevokeWith;
    public int? Behind;
    public TimeSpan? SinceRetirement;

    /// <summary>The record is sealed and of the presenting client: the answer and the event may name its subject.</summary>
    public bool Trusted;

    /// <summary>For <see cref="NextStep.Replay"/>: the current generation's secret and tag. The caller clears them.</summary>
    public SecretBuffer CurrentSecret;
    public TagBuffer CurrentTag;

    /// <summary>For <see cref="NextStep.Replay"/>: the ledger slot with this replay counted (and its new MAC).</summary>
    public string? ReplayedSlot;

    public static Verdict Invalid(OutcomeCause cause) => new() { Outcome = RotationOutcome.Invalid, Cause = cause, Step = NextStep.Answer };
}
