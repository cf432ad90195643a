using System.Collections.Immutable;
using System.Globalization;

namespace RotationEngine.Testing.Model;

internal enum StepKind
{
    Skip,
    Issue,
    IssueForeign,
    Rotate,
    Inspect,
    Burst,
    RevokeToken,
    RevokeFamily,
    RevokeSubject,
    ListFamilies,
    Prune,
    Advance,
    Forge,
}

/// <summary>A fault the harness injects into the store for one operation.</summary>
internal enum StoreFault
{
    None,

    /// <summary>The store is down: the next call throws and changes nothing.</summary>
    Unavailable,

    /// <summary>The rotation is written, then the connection drops: the client never sees the new token.</summary>
    ResponseLost,
}

/// <summary>What the specification says one presentation of a token answers: an outcome with its cause and the
/// family's generation afterwards, the documented store fault, or a refusal before any store access whose exact
/// cause depends on bytes the model does not see (a flipped character may land in the fingerprint or elsewhere).</summary>
internal sealed record Expectation
{
    private Expectation()
    {
    }

    public RotationOutcome Outcome { get; private init; }

    public ImmutableArray<OutcomeCause> Causes { get; private init; } = [];

    public int Generation { get; private init; }

    /// <summary>The engine must throw <see cref="Storage.RotationStoreException"/>.</summary>
    public bool IsFault { get; private init; }

    /// <summary>Invalid before any store access (invariant 12): the generation is not known.</summary>
    public bool RefusedBeforeStore { get; private init; }

    public static Expectation Fault { get; } = new() { IsFault = true };

    public static Expectation Answer(RotationOutcome outcome, OutcomeCause cause, int generation) =>
        new() { Outcome = outcome, Causes = [cause], Generation = outcome == RotationOutcome.Invalid ? 0 : generation };

    public static Expectation Refused(params OutcomeCause[] causes) =>
        new() { Outcome = RotationOutcome.Invalid, Causes = [.. causes], RefusedBeforeStore = true };

    public OutcomeCause Cause => Causes.IsDefaultOrEmpty ? OutcomeCause.None : Causes[0];

    public bool Succeeded => Outcome is RotationOutcome.Rotated or RotationOutcome.GraceReplay;

    /// <summary>Whether the engine's answer is this one.</summary>
    public bool Matches(RotationResult result) =>
        !IsFault && result.Outcome == Outcome && Causes.Contains(result.Cause) && (Outcome == RotationOutcome.Invalid || result.Generation == Generation);

    public override string ToString() => IsFault ? "store fault"
        : Outcome == RotationOutcome.Invalid ? $"{Outcome} ({string.Join(" or ", Causes)})"
        : $"{Outcome} ({Cause}) gen {Generation}";

    /// <summary>The same text for an answer, for comparing bursts as multisets.</summary>
    public static string Describe(RotationResult result) =>
        result.Outcome == RotationOutcome.Invalid ? $"{result.Outcome} ({result.Cause})" : $"{result.Outcome} ({result.Cause}) gen {result.Generation}";
}

/// <summary>
/// One operation resolved against the model: which family, which generation, what the specification expects,
/// and the facts the invariant checks need (all computed by the model before the operation). Recorded in the
/// model because FsCheck runs every model step during generation, before any check.
/// </summary>
internal sealed record Step
{
    public StepKind Kind { get; init; }

    public int Family { get; init; } = -1;

    /// <summary>The generation of the presented token (Rotate, Inspect, Burst, RevokeToken, Forge).</summary>
    public int Generation { get; init; } = -1;

    public string? Binding { get; init; }

    public string? Subject { get; init; }

    /// <summary>The family's client (Issue) or the presenting client (Rotate, Inspect, Burst, RevokeToken, Forge).</summary>
    public string? ClientId { get; init; }

    /// <summary>The presenting client is not the family's (invariant 13).</summary>
    public bool OtherClient { get; init; }

    public int BurstSize { get; init; }

    public long AdvanceMs { get; init; }

    public Forgery? Forgery { get; init; }

    /// <summary>The forged string goes to Revoke rather than Rotate.</summary>
    public bool ViaRevoke { get; init; }

    /// <summary>The family whose id an <see cref="ForgeryKind.OtherFamilyId"/> forgery borrows, or -1.</summary>
    public int Peer { get; init; } = -1;

    public StoreFault Fault { get; init; }

    /// <summary>Expected answers: one per presentation (a burst has several, in the sequential order).</summary>
    public ImmutableArray<Expectation> Expected { get; init; } = [];

    /// <summary>Expected boolean or count (revocations, list size, prune count).</summary>
    public int ExpectedCount { get; init; }

    /// <summary>The clock when the operation runs.</summary>
    public long Now { get; init; }

    public int CurrentGenerationBefore { get; init; } = -1;

    public bool RevokedBefore { get; init; }

    /// <summary>The earliest of the presented token's idle expiry, the current token's and the family's.</summary>
    public long PresentedExpiresAt { get; init; }

    /// <summary>The presented token is retired and inside the grace rule (window, depth, replays, its own expiry).</summary>
    public bool InsideGraceRule { get; init; }

    /// <summary>The family after the step, as the model sees it (null for steps without a family).</summary>
    public ModelFamily? FamilyAfter { get; init; }

    public override string ToString()
    {
        var expected = Kind switch
        {
            StepKind.RevokeToken or StepKind.RevokeFamily => ExpectedCount == 1 ? "true" : "false",
            StepKind.Forge when ViaRevoke => "false",
            StepKind.RevokeSubject or StepKind.ListFamilies or StepKind.Prune => ExpectedCount.ToString(CultureInfo.InvariantCulture),
            StepKind.Advance or StepKind.Skip or StepKind.Issue or StepKind.IssueForeign => "",
            _ => string.Join(", ", Expected),
        };
        var target = Family < 0 ? "" : Generation < 0 ? $" family #{Family}" : $" family #{Family} token gen {Generation}";
        var by = OtherClient ? $" by {ClientId}" : "";
        return expected.Length == 0 ? $"t+{Now - ModelSettings.Epoch} ms{target}{by}" : $"t+{Now - ModelSettings.Epoch} ms{target}{by}: expect {expected}";
    }
}
