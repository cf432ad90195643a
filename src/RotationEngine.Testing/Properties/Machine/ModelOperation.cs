using FsCheck;
using FsCheck.Experimental;
using FsCheck.Fluent;
using RotationEngine.Testing.Checks;
using RotationEngine.Testing.Harness;
using RotationEngine.Testing.Model;

namespace RotationEngine.Testing.Machine;

/// <summary>One operation: how it changes the model (run during generation) and how it is checked on the
/// engine (run later, in order). The model records the resolved step and its expected outcome.</summary>
internal sealed class ModelOperation(string description, Func<RotationModel, RotationModel> run, StepChecker checker)
    : Operation<EngineHarness, RotationModel>
{
    public override RotationModel Run(RotationModel model) => run(model);

    public override Property Check(EngineHarness actual, RotationModel model)
    {
        var violations = checker.Run(actual, model);
        return violations.Count == 0 ? Prop.ToProperty(true) : Prop.Label(false, string.Join(Environment.NewLine, violations));
    }

    public override string ToString() => description;
}
