using RotationEngine.Storage;
using RotationEngine.Testing;

namespace RotationEngine.Testing.Tests;

/// <summary>Every invariant on the in-memory store with generated policies.</summary>
public sealed class InMemoryStoreInvariants : InvariantProperties
{
    protected override ValueTask<IFamilyStore> CreateStoreAsync() => ValueTask.FromResult<IFamilyStore>(new InMemoryFamilyStore());
}
