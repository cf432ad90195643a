using FsCheck;
using FsCheck.Experimental;
using FsCheck.Fluent;
using RotationEngine.Storage;
using RotationEngine.Testing.Harness;
using RotationEngine.Testing.Model;

namespace RotationEngine.Testing.Machine;

/// <summary>Creates a fresh store and engine per run, with the generated settings.</summary>
internal sealed class RotationSetup(ModelSettings settings, Func<ValueTask<IFamilyStore>> createStore, HostFlaw flaw) : Setup<EngineHarness, RotationModel>
{
    public override EngineHarness Actual() => new(createStore().AsTask().GetAwaiter().GetResult(), settings) { Flaw = flaw };

    public override RotationModel Model() => RotationModel.Initial(settings);

    public override string ToString() => $"Setup {{ {settings} }}";
}
