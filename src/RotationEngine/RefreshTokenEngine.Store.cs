using RotationEngine.Internal;
using RotationEngine.Storage;

namespace RotationEngine;

public sealed partial class RefreshTokenEngine
{
    /// <summary>Calls the store. Whatever it throws, synchronously or in its task, except cancellation, reaches the
    /// caller as a <see cref="RotationStoreException"/> ("outcome unknown") and is logged; a call that completes
    /// synchronously is answered without an async state machine.</summary>
    private ValueTask<T> Call<TState, T>(string operation, TState state, CancellationToken cancellationToken, Func<IFamilyStore, TState, CancellationToken, ValueTask<T>> call)
    {
        ValueTask<T> pending;
        try
        {
            pending = call(_store, state, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return ValueTask.FromException<T>(Fault(exception, operation));
        }

        // Stryker disable once Conditional : guarding a completed call returns its result synchronously; the test only saves a state machine
        return pending.IsCompletedSuccessfully ? pending : GuardAsync(pending, operation);
    }

    /// <summary>As the other overload, for a store operation without a result.</summary>
    private ValueTask Call<TState>(string operation, TState state, CancellationToken cancellationToken, Func<IFamilyStore, TState, CancellationToken, ValueTask> call)
    {
        ValueTask pending;
        try
        {
            pending = call(_store, state, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return ValueTask.FromException(Fault(exception, operation));
        }

        // Stryker disable once Conditional : guarding a completed call returns synchronously; the test only saves a state machine
        return pending.IsCompletedSuccessfully ? pending : GuardAsync(pending, operation);
    }

    private async ValueTask<T> GuardAsync<T>(ValueTask<T> pending, string operation)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw Fault(exception, operation);
        }
    }

    private async ValueTask GuardAsync(ValueTask pending, string operation)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw Fault(exception, operation);
        }
    }

    /// <summary>Logs a store fault and returns it as the documented exception (a store that classifies its own
    /// faults keeps its message).</summary>
    private RotationStoreException Fault(Exception exception, string operation)
    {
        Log.StoreFault(_logger, exception, operation);
        return exception as RotationStoreException
            ?? new RotationStoreException($"The family store failed during {operation} ({exception.GetType().Name}); the outcome is unknown.", exception);
    }
}
