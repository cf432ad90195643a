using RotationEngine.Internal;
using RotationEngine.Storage;

namespace RotationEngine;

public sealed partial class RefreshTokenEngine
{
    private async ValueTask<RotationResult> RotateUntracedAsync(ValueTask<RotationResult> pending, bool timed, long started)
    {
        RotationResult result;
        try
        {
            result = await pending.ConfigureAwait(false);
        }
        catch (RotationStoreException) when (timed)
        {
            Telemetry.RecordFault(_time.GetElapsedTime(started));
            throw;
        }

        if (timed)
        {
            Telemetry.Record(result.Outcome, _time.GetElapsedTime(started));
        }

        return result;
    }

    private async ValueTask<RotationResult> RotateTracedAsync(string? token, string clientId, string? binding, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        using var activity = Telemetry.Source.StartActivity("rotation_engine.rotate");
        RotationResult result;
        try
        {
            result = await RotateCoreAsync(token, clientId, binding, commit: true, cancellationToken).ConfigureAwait(false);
        }
        catch (RotationStoreException)
        {
            Telemetry.RecordFault(_time.GetElapsedTime(started));
            throw;
        }

        activity?.SetTag("rotation_engine.outcome", result.Outcome.ToString());
        Telemetry.Record(result.Outcome, _time.GetElapsedTime(started));
        return result;
    }
}
