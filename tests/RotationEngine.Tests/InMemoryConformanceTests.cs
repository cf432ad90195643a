using RotationEngine.Storage;
using RotationEngine.Testing;

namespace RotationEngine.Tests;

public sealed class InMemoryConformanceTests : FamilyStoreConformanceTests
{
    protected override ValueTask<IFamilyStore> CreateStoreAsync() => ValueTask.FromResult<IFamilyStore>(new InMemoryFamilyStore());
}
