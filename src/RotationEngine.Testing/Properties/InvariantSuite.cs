using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Experimental;
using RotationEngine.Storage;
using RotationEngine.Testing.Checks;
using RotationEngine.Testing.Generators;
using RotationEngine.Testing.Machine;

namespace RotationEngine.Testing;

/// <summary>
/// Runs the property of one invariant (docs/semantics.md §7) against a store: FsCheck generates operation sequences
/// and policies, runs them on a fresh store and engine and on the reference model, and checks the invariant
/// after every step. A failure throws <see cref="InvariantViolationException"/> naming the invariant, with the
/// shrunk operation list and the seed to replay it.
/// </summary>
public sealed partial class InvariantSuite
{
    private readonly Func<ValueTask<IFamilyStore>> _createStore;
    private readonly RotationPolicy? _policy;
    private readonly Func<IFamilyStore, ValueTask<byte[]>>? _persistedBytes;

    /// <summary>Creates a suite.</summary>
    /// <param name="createStore">Returns a new, empty store; called once per generated case.</param>
    /// <param name="policy">The policy to test (both clients use it), or null to generate policies.</param>
    /// <param name="persistedBytes">Reads everything the store has persisted (e.g. a database file), for the
    /// secret scan of invariant 7; null when the store's records are all there is.</param>
    public InvariantSuite(Func<ValueTask<IFamilyStore>> createStore, RotationPolicy? policy = null, Func<IFamilyStore, ValueTask<byte[]>>? persistedBytes = null)
    {
        ArgumentNullException.ThrowIfNull(createStore);
        if (policy is not null && policy.Validate().FirstOrDefault() is { } error)
        {
            throw new ArgumentException(error, nameof(policy));
        }

        _createStore = createStore;
        _policy = policy;
        _persistedBytes = persistedBytes;
    }

    /// <summary>For the suite's own teeth tests: a deliberate mistake of the host the suite plays (invariants 7, 12
    /// and 14 are about what the engine and its host do together: a store never sees a token).</summary>
    internal Harness.HostFlaw Flaw { get; init; }

    /// <summary>The operations per generated case.</summary>
    public int Length { get; init; } = 40;

    /// <summary>Checks one invariant on <paramref name="cases"/> generated cases (scaled by the environment,
    /// see <see cref="PropertyRunSettings"/>).</summary>
    /// <exception cref="InvariantViolationException">The invariant does not hold.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The invariant is not checked by operation sequences (9, 10, 14, 15).</exception>
    public void Check(Invariant invariant, int cases = 100)
    {
        if (invariant is Invariant.Linearizable or Invariant.CrashSafe or Invariant.Sealed or Invariant.NoEarlyDeath || !Enum.IsDefined(invariant))
        {
            throw new ArgumentOutOfRangeException(nameof(invariant), invariant, "Invariants 9, 10, 14 and 15 have their own checks.");
        }

        var checker = new StepChecker(new HashSet<Invariant> { invariant }, _persistedBytes);
        var machine = new RotationMachine(PolicyGenerators.Settings(_policy), _createStore, Flaw, OperationMix.For(invariant), checker, Length);
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(PropertyRunSettings.Cases(cases))
            .WithQuietOnSuccess(true)
            .WithName(invariant.Describe());
        if (PropertyRunSettings.Replay() is { } replay)
        {
            config = config.WithReplay(replay);
        }

        try
        {
            FsCheck.Check.One(config, machine.ToProperty());
        }
        catch (Exception exception) when (exception is not InvariantViolationException)
        {
            throw Violation(invariant, exception.Message, exception);
        }
    }

    /// <summary>Invariant 9: CsCheck runs random concurrent rotations, replays, revocations and inspections of one
    /// family and requires the answers and the final state to equal those of some sequential order of the same
    /// operations (one Rotated per generation included). Detection is probabilistic: real threads.</summary>
    /// <param name="iterations">Generated cases (scaled by the environment, see <see cref="PropertyRunSettings"/>).</param>
    /// <exception cref="InvariantViolationException">A concurrent run matched no sequential order.</exception>
    public void CheckLinearizable(int iterations = 200)
    {
        // CsCheck creates a state per run and per sequential order it tries, and disposes none: keep them all and
        // dispose them (and their stores) at the end.
        var created = new System.Collections.Concurrent.ConcurrentBag<Linearizability.OneFamily>();
        var initial = CsCheck.Gen.Select(CsCheck.Gen.Int[0, Linearizability.OneFamily.Policies.Length - 1], CsCheck.Gen.Int[0, 3], (policy, rotations) =>
        {
            var family = Linearizability.OneFamily.Create(_createStore, policy, rotations);
            created.Add(family);
            return family;
        });
        var behind = CsCheck.Gen.Int[0, 3];
        try
        {
            CsCheck.Check.SampleParallel(
                initial,
                behind.Operation<Linearizability.OneFamily>(b => $"Rotate({b} behind)", (family, b) => family.RotateAsync(b).GetAwaiter().GetResult()),
                behind.Operation<Linearizability.OneFamily>(b => $"Rotate({b} behind)", (family, b) => family.RotateAsync(b).GetAwaiter().GetResult()),
                behind.Operation<Linearizability.OneFamily>(b => $"Revoke({b} behind)", (family, b) => family.RevokeAsync(b).GetAwaiter().GetResult()),
                behind.Operation<Linearizability.OneFamily>(b => $"Inspect({b} behind)", (family, b) => family.InspectAsync(b).GetAwaiter().GetResult()),
                equal: (a, b) => a.Summary() == b.Summary(),
                iter: PropertyRunSettings.Cases(iterations),
                threads: Math.Max(2, Environment.ProcessorCount),
                print: family => family.Summary());
        }
        catch (Exception exception) when (exception is not InvariantViolationException)
        {
            var seed = CsCheckSeed().Match(exception.Message);
            throw new InvariantViolationException(
                $"{Invariant.Linearizable.Describe()} does not hold.{Environment.NewLine}{exception.Message.Trim()}{Environment.NewLine}"
                + (seed.Success ? $"Replay: set the environment variable CsCheck_Seed={seed.Groups[1].Value}." : ""),
                exception)
            { Invariant = Invariant.Linearizable, Replay = seed.Success ? seed.Groups[1].Value : null };
        }
        finally
        {
            foreach (var family in created)
            {
                family.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
    }

    /// <summary>Invariant 9 for sign-ins: CsCheck runs concurrent Issue, ListFamilies and RevokeSubject calls for one
    /// user and requires the answers, the listed families and the families that still rotate to equal those of some
    /// sequential order (a family lost from the subject's index matches none).</summary>
    /// <param name="iterations">Generated cases (scaled by the environment, see <see cref="PropertyRunSettings"/>).</param>
    /// <exception cref="InvariantViolationException">A concurrent run matched no sequential order.</exception>
    public void CheckSignInsLinearizable(int iterations = 100)
    {
        var created = new System.Collections.Concurrent.ConcurrentBag<Linearizability.OneSubject>();
        var initial = CsCheck.Gen.Select(CsCheck.Gen.Int[0, 2], signedIn =>
        {
            var state = Linearizability.OneSubject.Create(_createStore, signedIn);
            created.Add(state);
            return state;
        });
        var nothing = CsCheck.Gen.Int[0, 0];
        try
        {
            CsCheck.Check.SampleParallel(
                initial,
                nothing.Operation<Linearizability.OneSubject>(_ => "Issue", (state, _) => state.IssueAsync().GetAwaiter().GetResult()),
                nothing.Operation<Linearizability.OneSubject>(_ => "Issue", (state, _) => state.IssueAsync().GetAwaiter().GetResult()),
                nothing.Operation<Linearizability.OneSubject>(_ => "List", (state, _) => state.ListAsync().GetAwaiter().GetResult()),
                nothing.Operation<Linearizability.OneSubject>(_ => "RevokeSubject", (state, _) => state.RevokeSubjectAsync().GetAwaiter().GetResult()),
                equal: (a, b) => a.Summary() == b.Summary(),
                iter: PropertyRunSettings.Cases(iterations),
                threads: Math.Max(2, Environment.ProcessorCount),
                print: state => state.Summary());
        }
        catch (Exception exception) when (exception is not InvariantViolationException)
        {
            var seed = CsCheckSeed().Match(exception.Message);
            throw new InvariantViolationException(
                $"{Invariant.Linearizable.Describe()} does not hold for sign-ins racing the sessions page and sign-out everywhere.{Environment.NewLine}{exception.Message.Trim()}{Environment.NewLine}"
                + (seed.Success ? $"Replay: set the environment variable CsCheck_Seed={seed.Groups[1].Value}." : ""),
                exception)
            { Invariant = Invariant.Linearizable, Replay = seed.Success ? seed.Groups[1].Value : null };
        }
        finally
        {
            foreach (var state in created)
            {
                state.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
    }

    /// <summary>Invariant 14: records edited outside the engine, one edit per generated case, checked against the same
    /// presentation on the unedited record (see <c>Sealing/SealedRecords.cs</c>).</summary>
    /// <exception cref="InvariantViolationException">An edited record yielded a token or named someone else.</exception>
    public void CheckSealed(int cases = 100) => new Sealing.SealedRecords(_createStore, _policy, Flaw).Check(cases);

    /// <summary>Invariant 15: a session refreshing every 5 minutes under the policy (the default one when the suite
    /// generates policies) lives until its family lifetime or idle expiry.</summary>
    /// <exception cref="InvariantViolationException">The session ended early.</exception>
    public async Task CheckNoEarlyDeathAsync()
    {
        var store = await _createStore().ConfigureAwait(false);
        try
        {
            if (await Sealing.NoEarlyDeath.RunAsync(store, _policy ?? RotationPolicy.Default).ConfigureAwait(false) is { } failure)
            {
                throw new InvariantViolationException($"{Invariant.NoEarlyDeath.Describe()} does not hold: {failure}.") { Invariant = Invariant.NoEarlyDeath };
            }
        }
        finally
        {
            await Harness.StoreDisposal.DisposeAsync(store).ConfigureAwait(false);
        }
    }

    /// <summary>Invariants 6 and 12 exhaustively: every single-bit flip and truncation of a real current and retired
    /// token, every bit flip of every field of the decoded token, prefixes, another family's id and an unknown key:
    /// each Invalid, with no store call and no change.</summary>
    /// <exception cref="InvariantViolationException">A forgery got anything but Invalid or changed a family.</exception>
    public async Task CheckEveryForgeryAsync()
    {
        var store = await _createStore().ConfigureAwait(false);
        try
        {
            var failures = await ExhaustiveForgery.CheckAsync(store, Flaw).ConfigureAwait(false);
            if (failures.Count > 0)
            {
                throw new InvariantViolationException(
                    $"{Invariant.ForgeryIsHarmless.Describe()} does not hold.{Environment.NewLine}{string.Join(Environment.NewLine, failures.Take(10))}")
                { Invariant = Invariant.ForgeryIsHarmless };
            }
        }
        finally
        {
            await Harness.StoreDisposal.DisposeAsync(store).ConfigureAwait(false);
        }
    }

    [GeneratedRegex(@"CsCheck_Seed\s*=\s*""?([0-9A-Za-z_]+)")]
    private static partial Regex CsCheckSeed();

    internal static InvariantViolationException Violation(Invariant invariant, string report, Exception? inner)
    {
        var all = FirstSeed().Match(report);
        var last = LastSeed().Match(report);
        var replay = last.Success ? $"{last.Groups[2].Value},{last.Groups[3].Value},{last.Groups[1].Value}" : all.Success ? all.Groups[1].Value : null;
        var message = $"{invariant.Describe()} does not hold.{Environment.NewLine}{report.Trim()}{Environment.NewLine}"
            + (replay is null ? "" : $"Replay this case: {PropertyRunSettings.ReplayVariable}={replay} (or the whole run: {PropertyRunSettings.ReplayVariable}={(all.Success ? all.Groups[1].Value : replay)}).");
        return new InvariantViolationException(message, inner) { Invariant = invariant, Replay = replay };
    }

    [GeneratedRegex(@"\((\d+,\d+)\)")]
    private static partial Regex FirstSeed();

    [GeneratedRegex(@"size of (\d+) and seed of \((\d+),(\d+)\)")]
    private static partial Regex LastSeed();
}
