using FsCheck;
using FsCheck.Experimental;
using FsCheck.Fluent;
using RotationEngine.Testing.Harness;

namespace RotationEngine.Testing.Machine;

internal sealed class DisposeHarness : TearDown<EngineHarness>
{
    public override void Actual(EngineHarness actual) => actual.DisposeAsync().AsTask().GetAwaiter().GetResult();

    public override string ToString() => "Dispose";
}
