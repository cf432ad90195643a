// Over 300 lines: the property machine's operations, one method each, resolving relative names to families and
// tokens; the rules they ask are in Specification/RotationSpecification.cs.
using System.Collections.Immutable;
using RotationEngine.Testing.Specification;

namespace RotationEngine.Testing.Model;

/// <summary>
/// The pure reference model of the engine (docs/semantics.md §4–§6): families as immutable values, the clock in
/// milliseconds, and for the last operation the <see cref="Step"/> it resolved to with the expected outcome.
/// It is written from the specification, not from the engine's code, so that a disagreement means one of them
/// is wrong. Operations name families and tokens relatively (a slot, "n generations behind") and resolve them
/// here, so that a shrunk operation list stays meaningful.
/// </summary>
internal sealed record RotationModel
{
    public required ModelSettings Settings { get; init; }

    public long Now { get; init; } = ModelSettings.Epoch;

    public ImmutableList<ModelFamily> Families { get; init; } = [];

    public Step Last { get; init; } = new() { Now = ModelSettings.Epoch };

    public static RotationModel Initial(ModelSettings settings) => new() { Settings = settings };

    public override string ToString() => Last.ToString();

    // ---- resolution ---------------------------------------------------------------------------------------

    public ModelFamily? Pick(int slot)
    {
        var own = Families.Where(f => !f.Foreign).ToList();
        return own.Count == 0 ? null : own[(int)((uint)slot % (uint)own.Count)];
    }

    public static int ResolveGeneration(ModelFamily family, int behind)
    {
        var target = family.Generation - Math.Max(0, behind);
        var candidates = family.Known.Where(g => g <= target).ToList();
        return candidates.Count > 0 ? candidates[^1] : family.Known.Min;
    }

    /// <summary>1: the other client; anything else: the family's own.</summary>
    public static string ResolveClient(ModelFamily family, int choice) => choice == 1 ? OtherClient(family.ClientId) : family.ClientId;

    public static string OtherClient(string clientId) => clientId == ModelSettings.WebClient ? ModelSettings.SpaClient : ModelSettings.WebClient;

    /// <summary>0–2: the family's own binding; 3: none; 4: a wrong one.</summary>
    public static string? ResolveBinding(ModelFamily family, int choice) => ((uint)choice % 5) switch
    {
        3 => null,
        4 => ModelSettings.WrongBinding,
        _ => family.Binding,
    };

    private RotationModel With(Step step, ModelFamily? changed = null)
    {
        var families = changed is null ? Families : Families.SetItem(changed.Index, changed);
        return this with { Families = families, Last = step with { Now = Now, FamilyAfter = changed ?? step.FamilyAfter } };
    }

    private RotationModel Skip() => this with { Last = new Step { Kind = StepKind.Skip, Now = Now } };

    // ---- operations ---------------------------------------------------------------------------------------

    public RotationModel Issue(int subject, int client, int binding)
    {
        var clientId = client % 2 == 0 ? ModelSettings.WebClient : ModelSettings.SpaClient;
        var state = FamilyState.Issue(
            ModelSettings.Subjects[(uint)subject % ModelSettings.Subjects.Length],
            clientId,
            ModelSettings.Bindings[(uint)binding % ModelSettings.Bindings.Length],
            Settings.PolicyFor(clientId),
            Now);
        var family = new ModelFamily { Index = Families.Count, State = state, Known = [0] };
        var step = new Step { Kind = StepKind.Issue, Family = family.Index, Subject = family.Subject, ClientId = clientId, Binding = family.Binding, FamilyAfter = family };
        return this with { Families = Families.Add(family), Last = step with { Now = Now } };
    }

    public RotationModel IssueForeign()
    {
        var state = FamilyState.Issue("mallory", ModelSettings.WebClient, null, Settings.WebPolicy, Now);
        var family = new ModelFamily { Index = Families.Count, State = state, Known = [0], Foreign = true };
        var step = new Step { Kind = StepKind.IssueForeign, Family = family.Index, Subject = family.Subject, ClientId = family.ClientId, FamilyAfter = family };
        return this with { Families = Families.Add(family), Last = step with { Now = Now } };
    }

    public RotationModel Rotate(int slot, int behind, int bindingChoice, int clientChoice, StoreFault fault) =>
        Present(StepKind.Rotate, slot, behind, bindingChoice, clientChoice, fault);

    public RotationModel Inspect(int slot, int behind, int bindingChoice, int clientChoice) =>
        Present(StepKind.Inspect, slot, behind, bindingChoice, clientChoice, StoreFault.None);

    /// <summary>Several tabs present the same token at the same instant with the right binding.</summary>
    public RotationModel Burst(int slot, int behind, int size)
    {
        if (Pick(slot) is not { } family)
        {
            return Skip();
        }

        var generation = ResolveGeneration(family, behind);
        var facts = Facts(family, generation, family.Binding) with { ClientId = family.ClientId };
        var expected = ImmutableArray.CreateBuilder<Expectation>(size);
        var current = family;
        for (var i = 0; i < size; i++)
        {
            expected.Add(Classify(current, generation, family.ClientId, current.Binding, Now, commit: true, out current));
        }

        // Every presenter that got a token learns the same one: the generation current after the burst.
        if (expected.Any(e => e.Succeeded))
        {
            current = current with { Known = current.Known.Add(current.Generation) };
        }

        return With(facts with { Kind = StepKind.Burst, BurstSize = size, Expected = expected.ToImmutable() }, current);
    }

    public RotationModel RevokeToken(int slot, int behind, int clientChoice)
    {
        if (Pick(slot) is not { } family)
        {
            return Skip();
        }

        var generation = ResolveGeneration(family, behind);
        var client = ResolveClient(family, clientChoice);
        var step = Facts(family, generation, family.Binding) with { Kind = StepKind.RevokeToken, ClientId = client, OtherClient = client != family.ClientId };
        if (!RotationSpecification.CanRevoke(family.State) || step.OtherClient)
        {
            return With(step with { ExpectedCount = 0 }, family);
        }

        return With(step with { ExpectedCount = 1 }, Revoke(family));
    }

    public RotationModel RevokeFamily(int slot)
    {
        if (Pick(slot) is not { } family)
        {
            return Skip();
        }

        var step = new Step { Kind = StepKind.RevokeFamily, Family = family.Index, RevokedBefore = family.Revoked, CurrentGenerationBefore = family.Generation };
        if (!RotationSpecification.CanRevoke(family.State))
        {
            return With(step with { ExpectedCount = 0 }, family);
        }

        return With(step with { ExpectedCount = 1 }, Revoke(family));
    }

    public RotationModel RevokeSubject(int subject)
    {
        var name = ModelSettings.Subjects[(uint)subject % ModelSettings.Subjects.Length];
        var families = Families;
        var count = 0;
        foreach (var family in Families.Where(f => f.Subject == name && RotationSpecification.CanRevoke(f.State)))
        {
            families = families.SetItem(family.Index, Revoke(family));
            count++;
        }

        return this with { Families = families, Last = new Step { Kind = StepKind.RevokeSubject, Subject = name, ExpectedCount = count, Now = Now } };
    }

    public RotationModel ListFamilies(int subject)
    {
        var name = ModelSettings.Subjects[(uint)subject % ModelSettings.Subjects.Length];
        var count = Families.Count(f => f.Subject == name && f.IsLive(Now));
        return this with { Last = new Step { Kind = StepKind.ListFamilies, Subject = name, ExpectedCount = count, Now = Now } };
    }

    public RotationModel Prune()
    {
        var families = Families;
        var count = 0;
        foreach (var family in Families.Where(f => RotationSpecification.IsPrunable(f.State, Now, Settings.Retention)))
        {
            families = families.SetItem(family.Index, family with { State = family.State with { Pruned = true } });
            count++;
        }

        return this with { Families = families, Last = new Step { Kind = StepKind.Prune, ExpectedCount = count, Now = Now } };
    }

    public RotationModel Advance(long milliseconds)
    {
        var delta = Math.Max(0, milliseconds);
        return this with { Now = Now + delta, Last = new Step { Kind = StepKind.Advance, AdvanceMs = delta, Now = Now + delta } };
    }

    /// <summary>Moves the clock to a family's boundary plus <paramref name="offset"/> ms (never backwards).</summary>
    public RotationModel AdvanceTo(int slot, Boundary boundary, int offset)
    {
        if (Pick(slot) is not { } family)
        {
            return Advance(offset);
        }

        var policy = family.Policy;
        long target = boundary switch
        {
            Boundary.TokenExpiry => family.TokenExpiresAt,
            Boundary.FamilyExpiry => family.FamilyExpiresAt,
            Boundary.GraceWindowEnd => family.IssuedAt[^1] + ModelFamily.Ms(policy.GraceWindow),
            Boundary.RetiredTokenExpiry => family.Generation > 0 ? family.TokenExpiryOf(family.Generation - 1) : family.TokenExpiresAt,
            _ => RotationSpecification.PrunableAfter(family.State, Settings.Retention),
        };
        return Advance(target + offset - Now);
    }

    public RotationModel Forge(int slot, int behind, Forgery forgery, bool viaRevoke)
    {
        var family = forgery.Kind == ForgeryKind.UnknownKey
            ? Families.LastOrDefault(f => f.Foreign)
            : Pick(slot);
        if (forgery.Kind != ForgeryKind.RandomText && family is null)
        {
            return Skip();
        }

        int? generation = family is null ? null : ResolveGeneration(family, behind);
        var step = new Step
        {
            Kind = StepKind.Forge,
            Family = family?.Index,
            Generation = generation,
            ClientId = family?.ClientId ?? ModelSettings.WebClient,
            Forgery = forgery,
            Peer = family is not null && forgery.Kind == ForgeryKind.OtherFamilyId ? OtherFamily(family, forgery.Position)?.Index : null,
            ViaRevoke = viaRevoke,
            Expected = [ForgedAnswer(generation, forgery)],
            ExpectedCount = 0,
        };
        return With(step);
    }

    /// <summary>What the engine says about a forged string: always Invalid, before any store access (invariant 12).
    /// The cause says how far the string got: the codec (Malformed), the key lookup (UnknownKey), the tag
    /// (NotAuthentic). Where it depends on bytes the model does not see, any of those.</summary>
    private static Expectation ForgedAnswer(int? generation, Forgery forgery) => forgery.Kind switch
    {
        ForgeryKind.RandomText or ForgeryKind.CharacterBitFlip => Expectation.Refused(OutcomeCause.Malformed, OutcomeCause.UnknownKey, OutcomeCause.NotAuthentic),
        ForgeryKind.Truncated or ForgeryKind.Extended or ForgeryKind.UpperCasePrefix or ForgeryKind.OldPrefix or ForgeryKind.Whitespace => Expectation.Refused(OutcomeCause.Malformed),
        ForgeryKind.FingerprintBitFlip or ForgeryKind.UnknownKey => Expectation.Refused(OutcomeCause.UnknownKey),
        ForgeryKind.GenerationBitFlip when generation is { } g && (g ^ (1 << (forgery.Bit % 32))) < 0 => Expectation.Refused(OutcomeCause.Malformed),
        _ => Expectation.Refused(OutcomeCause.NotAuthentic),
    };

    /// <summary>The family whose id an <see cref="ForgeryKind.OtherFamilyId"/> forgery borrows (null: none, so the
    /// secret is flipped instead).</summary>
    public ModelFamily? OtherFamily(ModelFamily family, int position)
    {
        var others = Families.Where(f => f.Index != family.Index).ToList();
        return others.Count == 0 ? null : others[(int)((uint)position % (uint)others.Count)];
    }

    // ---- the rules ----------------------------------------------------------------------------------------

    private Step Facts(ModelFamily family, int generation, string? binding)
    {
        var expiresAt = Math.Min(Math.Min(family.TokenExpiryOf(generation), family.TokenExpiresAt), family.FamilyExpiresAt);
        return new Step
        {
            Family = family.Index,
            Generation = generation,
            Binding = binding,
            CurrentGenerationBefore = family.Generation,
            RevokedBefore = family.Revoked,
            PresentedExpiresAt = expiresAt,
            InsideGraceRule = !family.Pruned && generation < family.Generation && RotationSpecification.GraceRule(family.State, generation, Now) == OutcomeCause.WithinGrace,
        };
    }

    private RotationModel Present(StepKind kind, int slot, int behind, int bindingChoice, int clientChoice, StoreFault fault)
    {
        if (Pick(slot) is not { } family)
        {
            return Skip();
        }

        var generation = ResolveGeneration(family, behind);
        var binding = ResolveBinding(family, bindingChoice);
        var client = ResolveClient(family, clientChoice);
        var step = Facts(family, generation, binding) with { Kind = kind, Fault = fault, ClientId = client, OtherClient = client != family.ClientId };
        if (fault == StoreFault.Unavailable)
        {
            return With(step with { Expected = [Expectation.Fault] }, family);
        }

        var expected = Classify(family, generation, client, binding, Now, commit: kind == StepKind.Rotate, out var after);
        if (kind == StepKind.Rotate && expected.Succeeded)
        {
            var lost = fault == StoreFault.ResponseLost && expected.Outcome == RotationOutcome.Rotated;
            if (lost)
            {
                expected = Expectation.Fault;
            }
            else
            {
                after = after with { Known = after.Known.Add(after.Generation) };
            }
        }

        return With(step with { Expected = [expected] }, after);
    }

    /// <summary>docs/semantics.md §5–§6, asked of <see cref="RotationSpecification"/>: the answer to presenting
    /// generation <paramref name="generation"/> of <paramref name="family"/> as <paramref name="client"/> with
    /// <paramref name="binding"/> at <paramref name="now"/>, and (when <paramref name="commit"/>) its effect.</summary>
    private static Expectation Classify(ModelFamily family, int generation, string client, string? binding, long now, bool commit, out ModelFamily after)
    {
        after = family;
        if (family.Foreign)
        {
            return Expectation.Refused(OutcomeCause.UnknownKey);
        }

        var answer = commit
            ? RotationSpecification.Rotate(family.State, generation, client, binding, now)
            : RotationSpecification.Inspect(family.State, generation, client, binding, now);
        if (commit)
        {
            after = family with { State = RotationSpecification.Apply(family.State, generation, answer, now) };
        }

        return Expectation.Answer(answer.Outcome, answer.Cause, answer.Generation);
    }

    private ModelFamily Revoke(ModelFamily family) => family with { State = RotationSpecification.Revoke(family.State, Now) };
}
