using System.Collections.Immutable;
using System.Globalization;

namespace RotationEngine.Testing.Model;

/// <summary>
/// One operation resolved against the model: which family, which generation, what the specification expects,
/// and the facts the invariant checks need (all computed by the model before the operation). Recorded in the
/// model because FsCheck runs every model step during generation, before any check.
/// </summary>
internal sealed record Step
{
    public StepKind Kind { get; init; }

    /// <summary>The model family the step acts on; null for steps without one (Skip, Advance, the subject-wide
    /// operations, a forgery of random text).</summary>
    public int? Family { get; init; }

    /// <summary>The generation of the presented token (Rotate, Inspect, Burst, RevokeToken, Forge); null otherwise.</summary>
    public int? Generation { get; init; }

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

    /// <summary>The family whose id an <see cref="ForgeryKind.OtherFamilyId"/> forgery borrows; null when there is
    /// none (the secret is flipped instead) or the step is no such forgery.</summary>
    public int? Peer { get; init; }

    public StoreFault Fault { get; init; }

    /// <summary>Expected answers: one per presentation (a burst has several, in the sequential order).</summary>
    public ImmutableArray<Expectation> Expected { get; init; } = [];

    /// <summary>Expected boolean or count (revocations, list size, prune count).</summary>
    public int ExpectedCount { get; init; }

    /// <summary>The clock when the operation runs.</summary>
    public long Now { get; init; }

    /// <summary>The family's current generation before the step; null for steps without a family.</summary>
    public int? CurrentGenerationBefore { get; init; }

    public bool RevokedBefore { get; init; }

    /// <summary>The earliest of the presented token's idle expiry, the current token's and the family's.</summary>
    public long PresentedExpiresAt { get; init; }

    /// <summary>The presented token is retired and inside the grace rule (window, depth, replays, its own expiry).</summary>
    public bool InsideGraceRule { get; init; }

    /// <summary>The family after the step, as the model sees it (null for steps without a family).</summary>
    public ModelFamily? FamilyAfter { get; init; }

    /// <summary>The <see cref="Family"/> of a step that has one by its kind (Issue, RevokeFamily, the presentations
    /// of a real token).</summary>
    public int FamilyIndex => Family ?? throw new InvalidOperationException($"A {Kind} step has no family.");

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
        var target = Family is null ? "" : Generation is null ? $" family #{Family}" : $" family #{Family} token gen {Generation}";
        var by = OtherClient ? $" by {ClientId}" : "";
        return expected.Length == 0 ? $"t+{Now - ModelSettings.Epoch} ms{target}{by}" : $"t+{Now - ModelSettings.Epoch} ms{target}{by}: expect {expected}";
    }
}
