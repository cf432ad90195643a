using FsCheck.Experimental;
using FsCheck.Fluent;
using RotationEngine.Storage;
using RotationEngine.Testing;
using RotationEngine.Testing.Checks;
using RotationEngine.Testing.Generators;
using RotationEngine.Testing.Machine;
using RotationEngine.Testing.Model;

namespace RotationEngine.Testing.Tests;

/// <summary>The generators reach the interesting cases: across a sample of generated runs, the model expects every
/// outcome cause of docs/semantics.md §5 that a sequence of operations can reach, store faults, lost responses, other
/// clients, and both sides of every clock boundary.
/// (Only the model runs here: generation never touches a store.)</summary>
public sealed class GeneratorCoverageTests
{
    private static List<Step> SampleSteps(Invariant invariant, int runs)
    {
        var checker = new StepChecker(new HashSet<Invariant> { invariant }, null);
        var machine = new RotationMachine(PolicyGenerators.Settings(null), () => ValueTask.FromResult<IFamilyStore>(new InMemoryFamilyStore()), RotationEngine.Testing.Harness.HostFlaw.None, OperationMix.For(invariant), checker, 40);
        // A fixed seed: the measurement is of the generators, not of luck.
        return StateMachine.Generate(machine).Sample(runs, new FsCheck.Rnd(20_260_101UL), 50)
            .SelectMany(run => run.Operations.Select(pair => pair.Item2.Last))
            .ToList();
    }

    [Theory]
    [InlineData(Invariant.StoresAgree)]
    [InlineData(Invariant.ForgeryIsHarmless)]
    public void Every_outcome_cause_is_reached(Invariant invariant)
    {
        var steps = SampleSteps(invariant, 400).Concat(SampleSteps(Invariant.ExpiryHolds, 800));
        var causes = steps.SelectMany(s => s.Expected).Where(e => !e.IsFault).SelectMany(e => e.Causes).ToHashSet();

        // Tampered and RecordMismatch need an edited store: invariant 14's own property makes them.
        var expected = invariant == Invariant.ForgeryIsHarmless
            ? [OutcomeCause.Malformed, OutcomeCause.UnknownKey, OutcomeCause.NotAuthentic]
            : Enum.GetValues<OutcomeCause>().Except([OutcomeCause.Tampered, OutcomeCause.RecordMismatch]).ToArray();
        Assert.Empty(expected.Except(causes));
    }

    [Fact]
    public void Faults_bursts_and_boundaries_are_reached()
    {
        var steps = SampleSteps(Invariant.ExpiryHolds, 300);

        Assert.Contains(steps, s => s.Fault == StoreFault.Unavailable);
        Assert.Contains(steps, s => s.Fault == StoreFault.ResponseLost && s.Expected[0].IsFault);
        Assert.Contains(steps, s => s.Kind == StepKind.Burst && s.Expected.Count(e => e.Outcome == RotationOutcome.GraceReplay) >= 2);
        Assert.Contains(steps, s => s.Kind == StepKind.Rotate && s.Expected[0].Succeeded && s.Now == s.PresentedExpiresAt - 1);
        Assert.Contains(steps, s => s.Kind == StepKind.Rotate && s.Expected[0].Outcome == RotationOutcome.Expired && s.Now == s.PresentedExpiresAt);
        Assert.Contains(steps, s => s.Kind == StepKind.Prune && s.ExpectedCount > 0);
        var clientBound = SampleSteps(Invariant.ClientBound, 200);
        Assert.Contains(clientBound, s => s.OtherClient && s.Kind == StepKind.Rotate && s.CurrentGenerationBefore == s.Generation);
        Assert.Contains(clientBound, s => s.OtherClient && s.Kind == StepKind.Rotate && s.InsideGraceRule);
        Assert.Contains(clientBound, s => s.OtherClient && s.Kind == StepKind.RevokeToken);
    }
}
