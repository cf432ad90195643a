using RotationEngine.Events;
using RotationEngine.Internal;
using RotationEngine.Storage;

namespace RotationEngine;

public sealed partial class RefreshTokenEngine
{
    private void PublishOutcome(in Verdict verdict, FamilyRecord? family, DateTimeOffset now, FamilyId? claimedFamily = null)
    {
        var kind = verdict.Outcome switch
        {
            RotationOutcome.GraceReplay => RotationEventKind.GraceReplay,
            RotationOutcome.ReuseDetected => RotationEventKind.ReuseDetected,
            RotationOutcome.Revoked => RotationEventKind.Revoked,
            RotationOutcome.Expired => RotationEventKind.Expired,
            RotationOutcome.BindingMismatch => RotationEventKind.BindingMismatch,
            RotationOutcome.Invalid => RotationEventKind.Invalid,
            _ => (RotationEventKind?)null,
        };

        if (kind is null)
        {
            return;
        }

        Publish(new RotationEvent
        {
            Kind = kind.Value,
            Outcome = verdict.Outcome,
            Cause = verdict.Cause,
            Timestamp = now,
            FamilyId = family?.Id ?? claimedFamily,
            Subject = family?.Subject,
            ClientId = family?.ClientId,
            Generation = family?.Generation,
            GenerationsBehind = family is null ? null : verdict.Behind,
            SinceRetirement = family is null ? null : verdict.SinceRetirement,
            RevocationReason = family?.RevocationReason,
        });
    }

    private async ValueTask<bool> RevokeFamilyCoreAsync(FamilyRecord family, RevocationReason reason, CancellationToken cancellationToken)
    {
        var now = Now();
        var changed = await Guard(_store.TryRevokeAsync(family.Id, reason, now, cancellationToken), "Revoke").ConfigureAwait(false);
        if (changed)
        {
            Publish(new RotationEvent
            {
                Kind = RotationEventKind.FamilyRevoked,
                Timestamp = now,
                FamilyId = family.Id,
                Subject = family.Subject,
                ClientId = family.ClientId,
                Generation = family.Generation,
                RevocationReason = reason,
                Count = 1,
            });
        }

        return changed;
    }

    private void Publish(RotationEvent rotationEvent)
    {
        var since = rotationEvent.SinceRetirement?.TotalMilliseconds;
        switch (rotationEvent.Kind)
        {
            case RotationEventKind.GraceReplay:
                Log.GraceReplay(_logger, rotationEvent.FamilyId, rotationEvent.Subject, rotationEvent.ClientId, rotationEvent.Generation, rotationEvent.GenerationsBehind, since);
                break;
            case RotationEventKind.ReuseDetected:
                Log.ReuseDetected(_logger, rotationEvent.Cause, rotationEvent.FamilyId, rotationEvent.Subject, rotationEvent.ClientId, rotationEvent.Generation, rotationEvent.GenerationsBehind, since);
                break;
            case RotationEventKind.Revoked:
                Log.Revoked(_logger, rotationEvent.FamilyId, rotationEvent.Subject, rotationEvent.ClientId, rotationEvent.RevocationReason, rotationEvent.GenerationsBehind);
                break;
            case RotationEventKind.Expired:
                Log.Expired(_logger, rotationEvent.FamilyId, rotationEvent.Subject, rotationEvent.ClientId, rotationEvent.Cause);
                break;
            case RotationEventKind.BindingMismatch:
                Log.BindingMismatch(_logger, rotationEvent.FamilyId, rotationEvent.Subject, rotationEvent.ClientId, rotationEvent.Generation, rotationEvent.RevocationReason is not null);
                break;
            case RotationEventKind.Invalid:
                Log.Invalid(_logger, rotationEvent.Cause, rotationEvent.FamilyId);
                break;
            case RotationEventKind.FamilyRevoked:
                Log.FamilyRevoked(_logger, rotationEvent.Count, rotationEvent.FamilyId, rotationEvent.Subject, rotationEvent.RevocationReason);
                break;
        }

        foreach (var observer in _observers)
        {
            try
            {
                observer.OnEvent(rotationEvent);
            }
            catch (Exception exception)
            {
                Log.ObserverFailed(_logger, exception, observer.GetType().Name, rotationEvent.Kind);
            }
        }
    }

    private async ValueTask<T> Guard<T>(ValueTask<T> pending, string operation)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        catch (RotationStoreException exception)
        {
            // A store that classifies its own faults still gets them logged.
            Log.StoreFault(_logger, exception, operation);
            throw;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw Fault(exception, operation);
        }
    }

    private async ValueTask Guard(ValueTask pending, string operation)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (RotationStoreException exception)
        {
            // A store that classifies its own faults still gets them logged.
            Log.StoreFault(_logger, exception, operation);
            throw;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw Fault(exception, operation);
        }
    }

    private RotationStoreException Fault(Exception exception, string operation)
    {
        Log.StoreFault(_logger, exception, operation);
        return new RotationStoreException($"The family store failed during {operation} ({exception.GetType().Name}); the outcome is unknown.", exception);
    }
}
