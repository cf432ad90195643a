using RotationEngine.Storage;
using RotationEngine.Testing;

namespace RotationEngine.Properties;

/// <summary>Every invariant on the in-memory store with generated policies.</summary>
public sealed class InMemoryStoreInvariants : InvariantProperties
{
    protected override ValueTask<IFamilyStore> CreateStoreAsync() => ValueTask.FromResult<IFamilyStore>(new InMemoryFamilyStore());
}

/// <summary>Every invariant with the default policy only (14-day tokens, 10 s grace): a user's policy test.</summary>
public sealed class DefaultPolicyInvariants : InvariantProperties
{
    protected override ValueTask<IFamilyStore> CreateStoreAsync() => ValueTask.FromResult<IFamilyStore>(new InMemoryFamilyStore());

    protected override RotationPolicy? Policy => RotationPolicy.Default;

    protected override int Cases => 30;
}
