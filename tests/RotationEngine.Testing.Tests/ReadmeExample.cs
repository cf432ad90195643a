// The README's "Testing your own store or policy" example, compiled and run: MyStore is the in-memory store here.
using RotationEngine.Storage;
using RotationEngine.Testing;
using MyStore = RotationEngine.Storage.InMemoryFamilyStore;

namespace RotationEngine.Testing.Tests;

// region: kit
public sealed class MyStoreConformance : FamilyStoreConformanceTests     // example-based: every outcome, operation, policy edge, edited record
{
    protected override ValueTask<IFamilyStore> CreateStoreAsync() => ValueTask.FromResult<IFamilyStore>(new MyStore(/* fresh, empty */));
}

public sealed class MyStoreInvariants : InvariantProperties             // FsCheck + CsCheck: every invariant of docs/semantics.md §7
{
    protected override ValueTask<IFamilyStore> CreateStoreAsync() => ValueTask.FromResult<IFamilyStore>(new MyStore(/* fresh, empty */));
    protected override RotationPolicy? Policy => RotationPolicy.Default with { GraceDepth = 2 };   // optional: null = generated policies
    protected override int Cases => 30;                                                           // optional: generated cases per invariant
}
// endregion
