using FsCheck;
using FsCheck.Experimental;
using FsCheck.Fluent;
using RotationEngine.Storage;
using RotationEngine.Testing.Checks;
using RotationEngine.Testing.Generators;
using RotationEngine.Testing.Harness;
using RotationEngine.Testing.Model;

namespace RotationEngine.Testing.Machine;

/// <summary>
/// The FsCheck state machine of the engine: random sequences of Issue, Rotate (current, retired, with the wrong
/// binding, by the other client, with a store fault or a lost response), Inspect, bursts of concurrent tabs, Revoke, RevokeFamily,
/// RevokeSubject, ListFamilies, Prune, clock jumps (arbitrary and to the exact millisecond around every
/// boundary) and forged strings, run against a store and the reference model.
/// </summary>
internal sealed class RotationMachine(Gen<ModelSettings> settings, Func<ValueTask<IFamilyStore>> createStore, HostFlaw flaw, OperationMix mix, StepChecker checker, int length)
    : Machine<EngineHarness, RotationModel>(length)
{
    public override Arbitrary<Setup<EngineHarness, RotationModel>> Setup =>
        Arb.From(settings.Select(s => (Setup<EngineHarness, RotationModel>)new RotationSetup(s, createStore, flaw)));

    public override TearDown<EngineHarness> TearDown => new DisposeHarness();

    public override Gen<Operation<EngineHarness, RotationModel>> Next(RotationModel model)
    {
        var hasFamilies = model.Families.Any(f => !f.Foreign);
        var choices = new List<(int, Gen<Operation<EngineHarness, RotationModel>>)> { (mix.Issue + (hasFamilies ? 0 : 40), Issue) };
        if (hasFamilies)
        {
            choices.AddRange(
            [
                (mix.IssueForeign, Gen.Constant(Op("IssueForeign", m => m.IssueForeign()))),
                (mix.Rotate, Rotate(retired: false)),
                (mix.RotateRetired, Rotate(retired: true)),
                (mix.Faults, Faulty),
                (mix.Inspect, Inspect),
                (mix.Burst, Burst),
                (mix.RevokeToken, RevokeToken),
                (mix.RevokeFamily, Gen.Choose(0, 7).Select(slot => Op($"RevokeFamily(#{slot})", m => m.RevokeFamily(slot)))),
                (mix.RevokeSubject, Gen.Choose(0, 1).Select(s => Op($"RevokeSubject({ModelSettings.Subjects[s]})", m => m.RevokeSubject(s)))),
                (mix.ListFamilies, Gen.Choose(0, 1).Select(s => Op($"ListFamilies({ModelSettings.Subjects[s]})", m => m.ListFamilies(s)))),
                (mix.Prune, Gen.Constant(Op("Prune", m => m.Prune()))),
                (mix.Advance, Advance),
                (mix.AdvanceToBoundary, AdvanceToBoundary),
                (mix.Forge, Forge),
            ]);
        }

        return Gen.Frequency(choices.Where(c => c.Item1 > 0).ToArray());
    }

    private Operation<EngineHarness, RotationModel> Op(string description, Func<RotationModel, RotationModel> run) => new ModelOperation(description, run, checker);

    private static string BindingName(int choice) => ((uint)choice % 5) switch { 3 => "no binding", 4 => "wrong binding", _ => "own binding" };

    private static Gen<int> Behind(bool retired) => retired
        ? Gen.Frequency((6, Gen.Constant(1)), (3, Gen.Choose(2, 3)), (1, Gen.Choose(4, 10)))
        : Gen.Constant(0);

    private static Gen<int> BindingChoice => Gen.Frequency((9, Gen.Constant(0)), (1, Gen.Choose(3, 4)));

    private Gen<int> ClientChoice => Gen.Frequency((100 - mix.OtherClientPercent, Gen.Constant(0)), (mix.OtherClientPercent, Gen.Constant(1)));

    private static string ClientName(int choice) => choice == 1 ? ", other client" : "";

    private Gen<Operation<EngineHarness, RotationModel>> Issue =>
        from subject in Gen.Choose(0, 1)
        from client in Gen.Choose(0, 1)
        from binding in Gen.Choose(0, 1)
        select Op($"Issue({ModelSettings.Subjects[subject]}, {(client == 0 ? ModelSettings.WebClient : ModelSettings.SpaClient)}, {ModelSettings.Bindings[binding] ?? "unbound"})", m => m.Issue(subject, client, binding));

    private Gen<Operation<EngineHarness, RotationModel>> Rotate(bool retired) =>
        from slot in Gen.Choose(0, 7)
        from behind in Behind(retired)
        from binding in BindingChoice
        from client in ClientChoice
        select Op($"Rotate(#{slot}, {behind} behind, {BindingName(binding)}{ClientName(client)})", m => m.Rotate(slot, behind, binding, client, StoreFault.None));

    private Gen<Operation<EngineHarness, RotationModel>> Faulty =>
        from slot in Gen.Choose(0, 7)
        from behind in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Constant(1)))
        from fault in Gen.Elements(StoreFault.Unavailable, StoreFault.ResponseLost)
        select Op($"Rotate(#{slot}, {behind} behind, {fault})", m => m.Rotate(slot, behind, 0, 0, fault));

    private Gen<Operation<EngineHarness, RotationModel>> Inspect =>
        from slot in Gen.Choose(0, 7)
        from behind in Gen.Frequency((2, Gen.Constant(0)), (1, Gen.Choose(1, 3)))
        from binding in BindingChoice
        from client in ClientChoice
        select Op($"Inspect(#{slot}, {behind} behind, {BindingName(binding)}{ClientName(client)})", m => m.Inspect(slot, behind, binding, client));

    private Gen<Operation<EngineHarness, RotationModel>> Burst =>
        from slot in Gen.Choose(0, 7)
        from behind in Gen.Frequency((4, Gen.Constant(0)), (1, Gen.Constant(1)))
        from size in Gen.Choose(2, 5)
        select Op($"Burst(#{slot}, {behind} behind, {size} tabs)", m => m.Burst(slot, behind, size));

    private Gen<Operation<EngineHarness, RotationModel>> RevokeToken =>
        from slot in Gen.Choose(0, 7)
        from behind in Gen.Frequency((2, Gen.Constant(0)), (1, Gen.Choose(1, 3)))
        from client in ClientChoice
        select Op($"RevokeToken(#{slot}, {behind} behind{ClientName(client)})", m => m.RevokeToken(slot, behind, client));

    private Gen<Operation<EngineHarness, RotationModel>> Advance =>
        from ms in Gen.Frequency(
            (4, Gen.Choose(0, 20)),
            (4, Gen.Choose(0, 3_000)),
            (2, Gen.Choose(0, 200_000)),
            (1, Gen.Choose(0, 20 * 24).Select(h => h * 3_600_000)))
        select Op($"Advance({ms} ms)", m => m.Advance(ms));

    private Gen<Operation<EngineHarness, RotationModel>> AdvanceToBoundary =>
        from slot in Gen.Choose(0, 7)
        from boundary in Gen.Elements(Enum.GetValues<Boundary>())
        from offset in Gen.Elements(-1, 0, 1)
        select Op($"AdvanceTo(#{slot} {boundary} {offset:+0;-0;0} ms)", m => m.AdvanceTo(slot, boundary, offset));

    private Gen<Operation<EngineHarness, RotationModel>> Forge =>
        from kind in Gen.Elements(Enum.GetValues<ForgeryKind>())
        from slot in Gen.Choose(0, 7)
        from behind in Gen.Frequency((2, Gen.Constant(0)), (1, Gen.Choose(1, 3)))
        from position in Gen.Choose(0, 200)
        from bit in Gen.Choose(0, 31)
        from text in ForgeryGenerators.RandomText
        from viaRevoke in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
        let forgery = new Forgery(kind, position, bit, text)
        select Op($"{(viaRevoke ? "Revoke" : "Rotate")}(forged from #{slot}: {forgery})", m => m.Forge(slot, behind, forgery, viaRevoke));
}
