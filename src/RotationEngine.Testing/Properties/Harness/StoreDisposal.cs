using RotationEngine.Storage;

namespace RotationEngine.Testing.Harness;

/// <summary>Disposes a store the suite created, whichever of <see cref="IAsyncDisposable"/> and <see cref="IDisposable"/>
/// it implements (the asynchronous one first).</summary>
internal static class StoreDisposal
{
    public static async ValueTask DisposeAsync(IFamilyStore store)
    {
        switch (store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }
}
