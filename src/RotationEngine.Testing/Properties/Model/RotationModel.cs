using System.Collections.Immutable;

namespace RotationEngine.Testing.Model;

/// <summary>Which boundary a clock step aims at.</summary>
internal enum Boundary
{
    TokenExpiry,
    FamilyExpiry,
    GraceWindowEnd,
    RetiredTokenExpiry,
    PruneHorizon,
}

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
        var policy = Settings.PolicyFor(clientId);
        var family = new ModelFamily
        {
            Index = Families.Count,
            Subject = ModelSettings.Subjects[(uint)subject % ModelSettings.Subjects.Length],
            ClientId = clientId,
            Binding = ModelSettings.Bindings[(uint)binding % ModelSettings.Bindings.Length],
            Policy = policy,
            FamilyExpiresAt = Now + ModelFamily.Ms(policy.FamilyLifetime),
            IssuedAt = [Now],
            Known = [0],
        };
        var step = new Step { Kind = StepKind.Issue, Family = family.Index, Subject = family.Subject, ClientId = clientId, Binding = family.Binding, FamilyAfter = family };
        return this with { Families = Families.Add(family), Last = step with { Now = Now } };
    }

    /// <summary>A family issued by another deployment sharing the store, under a key this engine does not hold.</summary>
    public RotationModel IssueForeign()
    {
        var policy = Settings.WebPolicy;
        var family = new ModelFamily
        {
            Index = Families.Count,
            Subject = "mallory",
            ClientId = ModelSettings.WebClient,
            Policy = policy,
            FamilyExpiresAt = Now + ModelFamily.Ms(policy.FamilyLifetime),
            IssuedAt = [Now],
            Known = [0],
            Foreign = true,
        };
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
            expected.Add(Classify(current, generation, family.ClientId, current.Binding, Now, commit: true, out current, out _));
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
        if (family.Pruned || family.Revoked || step.OtherClient)
        {
            return With(step with { ExpectedCount = 0 }, family);
        }

        return With(step with { ExpectedCount = 1 }, family with { Revoked = true, RevokedAt = Now });
    }

    public RotationModel RevokeFamily(int slot)
    {
        if (Pick(slot) is not { } family)
        {
            return Skip();
        }

        var step = new Step { Kind = StepKind.RevokeFamily, Family = family.Index, RevokedBefore = family.Revoked, CurrentGenerationBefore = family.Generation };
        if (family.Pruned || family.Revoked)
        {
            return With(step with { ExpectedCount = 0 }, family);
        }

        return With(step with { ExpectedCount = 1 }, family with { Revoked = true, RevokedAt = Now });
    }

    public RotationModel RevokeSubject(int subject)
    {
        var name = ModelSettings.Subjects[(uint)subject % ModelSettings.Subjects.Length];
        var families = Families;
        var count = 0;
        foreach (var family in Families.Where(f => f.Subject == name && !f.Pruned && !f.Revoked))
        {
            families = families.SetItem(family.Index, family with { Revoked = true, RevokedAt = Now });
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
        var cutoff = Now - ModelFamily.Ms(Settings.Retention);
        var families = Families;
        var count = 0;
        foreach (var family in Families.Where(f => !f.Pruned))
        {
            if (family.TokenExpiresAt < cutoff || family.FamilyExpiresAt < cutoff || (family.Revoked && family.RevokedAt < cutoff))
            {
                families = families.SetItem(family.Index, family with { Pruned = true });
                count++;
            }
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
            _ => Math.Min(Math.Min(family.TokenExpiresAt, family.FamilyExpiresAt), family.RevokedAt ?? long.MaxValue) + ModelFamily.Ms(Settings.Retention),
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

        var generation = family is null ? -1 : ResolveGeneration(family, behind);
        var step = new Step
        {
            Kind = StepKind.Forge,
            Family = family?.Index ?? -1,
            Generation = generation,
            ClientId = family?.ClientId ?? ModelSettings.WebClient,
            Forgery = forgery,
            Peer = family is not null && forgery.Kind == ForgeryKind.OtherFamilyId ? OtherFamily(family, forgery.Position)?.Index ?? -1 : -1,
            ViaRevoke = viaRevoke,
            Expected = [ForgedAnswer(generation, forgery)],
            ExpectedCount = 0,
        };
        return With(step);
    }

    /// <summary>What the engine says about a forged string: always Invalid, before any store access (invariant 12).
    /// The cause says how far the string got: the codec (Malformed), the key lookup (UnknownKey), the tag
    /// (NotAuthentic). Where it depends on bytes the model does not see, any of those.</summary>
    private static Expectation ForgedAnswer(int generation, Forgery forgery) => forgery.Kind switch
    {
        ForgeryKind.RandomText or ForgeryKind.CharacterBitFlip => Expectation.Refused(OutcomeCause.Malformed, OutcomeCause.UnknownKey, OutcomeCause.NotAuthentic),
        ForgeryKind.Truncated or ForgeryKind.Extended or ForgeryKind.UpperCasePrefix or ForgeryKind.OldPrefix or ForgeryKind.Whitespace => Expectation.Refused(OutcomeCause.Malformed),
        ForgeryKind.FingerprintBitFlip or ForgeryKind.UnknownKey => Expectation.Refused(OutcomeCause.UnknownKey),
        ForgeryKind.GenerationBitFlip when (generation ^ (1 << (forgery.Bit % 32))) < 0 => Expectation.Refused(OutcomeCause.Malformed),
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
            InsideGraceRule = !family.Pruned && generation < family.Generation && GraceRule(family, generation, Now) == OutcomeCause.WithinGrace,
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

        var expected = Classify(family, generation, client, binding, Now, commit: kind == StepKind.Rotate, out var after, out _);
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

    /// <summary>docs/semantics.md §5–§6: the answer to presenting generation <paramref name="generation"/> of
    /// <paramref name="family"/> as <paramref name="client"/> with <paramref name="binding"/> at <paramref name="now"/>.</summary>
    private static Expectation Classify(ModelFamily family, int generation, string client, string? binding, long now, bool commit, out ModelFamily after, out OutcomeCause grace)
    {
        after = family;
        grace = OutcomeCause.None;
        if (family.Foreign)
        {
            return Expectation.Refused(OutcomeCause.UnknownKey);
        }

        if (family.Pruned)
        {
            return Expectation.Answer(RotationOutcome.Invalid, OutcomeCause.UnknownFamily, 0);
        }

        if (client != family.ClientId)
        {
            return Expectation.Answer(RotationOutcome.Invalid, OutcomeCause.ClientMismatch, 0);
        }

        var policy = family.Policy;
        var behind = family.Generation - generation;
        if (family.Revoked)
        {
            return Expectation.Answer(RotationOutcome.Revoked, OutcomeCause.FamilyRevoked, family.Generation);
        }

        if (now >= family.FamilyExpiresAt)
        {
            return Expectation.Answer(RotationOutcome.Expired, OutcomeCause.FamilyExpired, family.Generation);
        }

        // The presented token's own idle expiry when it is current; the current token's when it is retired.
        if (now >= family.TokenExpiresAt)
        {
            return Expectation.Answer(RotationOutcome.Expired, OutcomeCause.TokenExpired, family.Generation);
        }

        var bindingMatches = family.Binding is null || family.Binding == binding;
        if (behind == 0)
        {
            if (!bindingMatches)
            {
                return Mismatch(family, now, commit, out after);
            }

            if (family.Generation >= policy.MaxGenerations)
            {
                return Expectation.Answer(RotationOutcome.Expired, OutcomeCause.GenerationLimit, family.Generation);
            }

            if (commit)
            {
                after = family with { IssuedAt = family.IssuedAt.Add(now) };
            }

            return Expectation.Answer(RotationOutcome.Rotated, OutcomeCause.None, commit ? family.Generation + 1 : family.Generation);
        }

        grace = GraceRule(family, generation, now);
        if (grace != OutcomeCause.WithinGrace)
        {
            if (commit)
            {
                after = family with { Revoked = true, RevokedAt = now };
            }

            return Expectation.Answer(RotationOutcome.ReuseDetected, grace, family.Generation);
        }

        if (!bindingMatches)
        {
            return Mismatch(family, now, commit, out after);
        }

        if (commit)
        {
            after = family with { Replays = family.Replays.SetItem(generation, Math.Min(family.ReplaysOf(generation) + 1, ushort.MaxValue)) };
        }

        return Expectation.Answer(RotationOutcome.GraceReplay, OutcomeCause.WithinGrace, family.Generation);
    }

    private static Expectation Mismatch(ModelFamily family, long now, bool commit, out ModelFamily after)
    {
        after = commit && family.Policy.BindingMismatchRevokes ? family with { Revoked = true, RevokedAt = now } : family;
        return Expectation.Answer(RotationOutcome.BindingMismatch, OutcomeCause.BindingMismatch, family.Generation);
    }

    /// <summary>The grace rule for a retired generation: window on, within depth, inside the window since its
    /// retirement, before its own idle expiry, replays left.</summary>
    private static OutcomeCause GraceRule(ModelFamily family, int generation, long now)
    {
        var policy = family.Policy;
        var behind = family.Generation - generation;
        if (policy.GraceWindow == TimeSpan.Zero)
        {
            return OutcomeCause.GraceWindowElapsed;
        }

        if (behind > policy.GraceDepth)
        {
            return OutcomeCause.GraceDepthExceeded;
        }

        var retiredAt = family.IssuedAt[generation + 1];
        if (now >= retiredAt + ModelFamily.Ms(policy.GraceWindow))
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
}
