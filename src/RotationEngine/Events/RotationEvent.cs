namespace RotationEngine.Events;

/// <summary>
/// A structured security event (docs/semantics.md §8): every rotation outcome other than a plain rotation, and
/// every revocation. Never holds a token or a secret.
/// </summary>
public sealed record RotationEvent
{
    /// <summary>What happened.</summary>
    public required RotationEventKind Kind { get; init; }

    /// <summary>The rotation outcome, for events raised by a rotation.</summary>
    public RotationOutcome? Outcome { get; init; }

    /// <summary>Why.</summary>
    public OutcomeCause Cause { get; init; }

    /// <summary>When, on the engine's clock.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The family, when the token named an existing one.</summary>
    public FamilyId? FamilyId { get; init; }

    /// <summary>The family's subject, when known.</summary>
    public string? Subject { get; init; }

    /// <summary>The family's client, when known.</summary>
    public string? ClientId { get; init; }

    /// <summary>The family's current generation, when known.</summary>
    public int? Generation { get; init; }

    /// <summary>How many generations behind the current one the presented token was, when authentic.</summary>
    public int? GenerationsBehind { get; init; }

    /// <summary>How long after its retirement a retired token came back, when the ledger still knows.
    /// A few hundred milliseconds suggests concurrent tabs; hours suggest theft.</summary>
    public TimeSpan? SinceRetirement { get; init; }

    /// <summary>The revocation reason, for revocations and for tokens of revoked families.</summary>
    public RevocationReason? RevocationReason { get; init; }

    /// <summary>For <see cref="RotationEventKind.FamilyRevoked"/> by subject: how many families were revoked.</summary>
    public int? Count { get; init; }
}
