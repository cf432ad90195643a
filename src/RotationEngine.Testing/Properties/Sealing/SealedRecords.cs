using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.Time.Testing;
using RotationEngine.Keys;
using RotationEngine.Storage;
using RotationEngine.Testing.Generators;
using RotationEngine.Testing.Harness;
using RotationEngine.Testing.Model;

namespace RotationEngine.Testing.Sealing;

/// <summary>
/// Invariant 14 as a differential property: a family with a short history is read from the store under test, one
/// property of its record is edited (sealed identity, changing state, or a value beyond the engine's limits) and the
/// edited record is created in a fresh store; the same presentation then goes to an engine on each store. The edited
/// store must never hand out a token that the unedited one does not hand out too, and no answer — the rotation, an
/// inspection, the family by id, the sessions of the edited subject — may name another subject, client, binding or
/// metadata than the ones sealed at issue. An edit that reproduces a record the engine itself wrote (a rollback, as a
/// restored backup makes) is skipped: no seal can tell it apart.
/// </summary>
internal sealed class SealedRecords(Func<ValueTask<IFamilyStore>> createStore, RotationPolicy? policy, HostFlaw flaw)
{
    public void Check(int cases)
    {
        var generator =
            from settings in PolicyGenerators.Settings(policy)
            from spa in Gen.Elements(false, true)
            from bound in Gen.Elements(false, true)
            from length in Gen.Choose(0, 5)
            from history in Gen.Frequency((4, Gen.Choose(1, 3_000)), (1, Gen.Choose(-2_000, -1))).ArrayOf(length)
            from edit in RecordEdit.Generator
            from behind in Gen.Frequency((3, Gen.Constant(0)), (2, Gen.Constant(1)), (1, Gen.Choose(2, 4)))
            from client in Gen.Frequency((5, Gen.Constant(0)), (1, Gen.Constant(1)))
            from binding in Gen.Frequency((5, Gen.Constant(0)), (1, Gen.Constant(1)))
            from delay in Gen.Elements(0, 1, 500, 20_000, 3_600_000)
            select new SealingCase(settings, spa, bound, history, edit, behind, client, binding, delay);
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(PropertyRunSettings.Cases(cases))
            .WithQuietOnSuccess(true)
            .WithName(Invariant.Sealed.Describe());
        if (PropertyRunSettings.Replay() is { } replay)
        {
            config = config.WithReplay(replay);
        }

        try
        {
            FsCheck.Check.One(config, Prop.ForAll(Arb.From(generator), c =>
            {
                var violation = Run(c);
                return violation is null ? Prop.ToProperty(true) : Prop.Label(false, $"{Invariant.Sealed.Describe()}: {violation}");
            }));
        }
        catch (Exception exception) when (exception is not InvariantViolationException)
        {
            throw InvariantSuite.Violation(Invariant.Sealed, exception.Message, exception);
        }
    }

    /// <summary>Runs one case; null when it holds, else what went wrong.</summary>
    private string? Run(SealingCase c) => RunAsync(c).AsTask().GetAwaiter().GetResult();

    private async ValueTask<string?> RunAsync(SealingCase c)
    {
        var original = await createStore().ConfigureAwait(false);
        IFamilyStore? edited = null;
        try
        {
            var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(ModelSettings.Epoch)) { AutoAdvanceAmount = TimeSpan.Zero };
            var options = c.Settings.ToOptions();
            var keys = new KeyRing([new ChainKey("k1", RandomNumberGenerator.GetBytes(32))]);
            var engine = new RefreshTokenEngine(original, options, keys, time);
            var client = c.Spa ? ModelSettings.SpaClient : ModelSettings.WebClient;
            var binding = c.Bound ? "device-a" : null;
            var issued = await engine.IssueAsync("alice", client, binding, "scope=a").ConfigureAwait(false);
            var tokens = new List<string> { issued.Token };
            var genuine = new HashSet<string>(StringComparer.Ordinal) { State(await original.FindAsync(issued.FamilyId).ConfigureAwait(false)) };
            foreach (var op in c.History)
            {
                time.Advance(TimeSpan.FromMilliseconds(Math.Abs(op)));
                var presented = op < 0 && tokens.Count > 1 ? tokens[^2] : tokens[^1];
                var answer = await engine.RotateAsync(presented, client, binding).ConfigureAwait(false);
                if (answer.Token is { } handed && !tokens.Contains(handed))
                {
                    tokens.Add(handed);
                }

                genuine.Add(State(await original.FindAsync(issued.FamilyId).ConfigureAwait(false)));
            }

            var record = (await original.FindAsync(issued.FamilyId).ConfigureAwait(false))!;
            var changed = c.Edit.Apply(record);
            if (genuine.Contains(State(changed)))
            {
                return null;
            }

            edited = await createStore().ConfigureAwait(false);
            try
            {
                await edited.CreateAsync(changed).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is RotationStoreException or ArgumentException)
            {
                // A store that refuses to keep the edited value (PostgreSQL and a lone surrogate) cannot be edited so.
                return null;
            }

            var victim = new RefreshTokenEngine(edited, options, keys, time);
            time.Advance(TimeSpan.FromMilliseconds(c.DelayMs));
            var token = tokens[Math.Max(0, tokens.Count - 1 - c.Behind)];
            var presentedClient = c.ClientChoice == 1 ? RotationModel.OtherClient(client) : client;
            var presentedBinding = c.BindingChoice == 1 ? ModelSettings.WrongBinding : binding;

            var fromEdited = await TryRotateAsync(victim, token, presentedClient, presentedBinding).ConfigureAwait(false);
            var fromOriginal = await TryRotateAsync(engine, token, presentedClient, presentedBinding).ConfigureAwait(false);
            if (fromEdited?.Token is { } handedOut && handedOut != fromOriginal?.Token)
            {
                return $"after the edit ({c.Edit}) the engine handed out a token ({fromEdited.Value.Outcome}) that the unedited record gives nobody ({fromOriginal?.Outcome.ToString() ?? "a store fault"})";
            }

            var answers = new List<(string What, string? Subject, string? Client, string? Binding, string? Metadata)>();
            if (fromEdited is { } r && r.Subject is not null)
            {
                answers.Add(("the rotation", r.Subject, r.ClientId, record.Binding, r.Metadata));
            }

            var inspected = await victim.InspectAsync(token, presentedClient, presentedBinding).ConfigureAwait(false);
            if (inspected.Subject is not null)
            {
                answers.Add(("the inspection", inspected.Subject, inspected.ClientId, record.Binding, inspected.Metadata));
            }

            if (await victim.GetFamilyAsync(issued.FamilyId).ConfigureAwait(false) is { } info)
            {
                answers.Add(("the family by id", info.Subject, info.ClientId, info.Binding, info.Metadata));
            }

            // The sessions page of the subject the record now names: listing the family there claims it is that subject's.
            foreach (var session in await SessionsAsync(victim, edited, changed.Subject, time.GetUtcNow()).ConfigureAwait(false))
            {
                if (session.Id == issued.FamilyId)
                {
                    answers.Add(($"the sessions of '{changed.Subject}'", changed.Subject, session.ClientId, session.Binding, session.Metadata));
                }
            }

            foreach (var (what, subject, answeredClient, answeredBinding, metadata) in answers)
            {
                if (subject != record.Subject || answeredClient != record.ClientId || answeredBinding != record.Binding || metadata != record.Metadata)
                {
                    return $"after the edit ({c.Edit}) {what} names subject '{subject}', client '{answeredClient}', binding '{answeredBinding}', metadata '{metadata}', not the sealed '{record.Subject}', '{record.ClientId}', '{record.Binding}', '{record.Metadata}'";
                }
            }

            return null;
        }
        finally
        {
            await DisposeAsync(original).ConfigureAwait(false);
            if (edited is not null)
            {
                await DisposeAsync(edited).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The sessions page of <paramref name="subject"/>: through the engine, or, for the flawed host, straight
    /// from the store's records.</summary>
    private async ValueTask<IReadOnlyList<FamilyInfo>> SessionsAsync(RefreshTokenEngine engine, IFamilyStore store, string subject, DateTimeOffset now)
    {
        if (flaw != HostFlaw.TrustsStoreRecords)
        {
            try
            {
                return await engine.ListFamiliesAsync(subject).ConfigureAwait(false);
            }
            catch (ArgumentException)
            {
                // The edited subject is not one a host could ask about (empty, a lone surrogate).
                return [];
            }
        }

        var records = await store.ListActiveAsync(subject, now).ConfigureAwait(false);
        return [.. records.Select(f => new FamilyInfo(f.Id, f.Subject, f.ClientId, f.Binding, f.Metadata, f.CreatedAt, f.CreatedAt, f.Generation, f.TokenExpiresAt, f.FamilyExpiresAt))];
    }

    private static async ValueTask<RotationResult?> TryRotateAsync(RefreshTokenEngine engine, string token, string client, string? binding)
    {
        try
        {
            return await engine.RotateAsync(token, client, binding).ConfigureAwait(false);
        }
        catch (RotationStoreException)
        {
            return null;
        }
    }

    private static string State(FamilyRecord? family) => family is null ? "absent" :
        $"{family.Id}|{family.Subject}|{family.ClientId}|{family.Binding}|{family.KeyId}|{family.Metadata}|{family.CreatedAt.ToUnixTimeMilliseconds()}|"
        + $"{family.FamilyExpiresAt.ToUnixTimeMilliseconds()}|{family.TokenExpiresAt.ToUnixTimeMilliseconds()}|{family.Generation}|{Convert.ToHexString(family.Digest)}|"
        + $"{family.Ledger}|{family.Status}|{family.RevokedAt?.ToUnixTimeMilliseconds()}|{family.RevocationReason}|{family.Policy}|{Convert.ToHexString(family.Seal)}";

    private static ValueTask DisposeAsync(IFamilyStore store) => StoreDisposal.DisposeAsync(store);
}
