using Microsoft.Extensions.Logging;
using RotationEngine.Events;
using RotationEngine.Internal;
using RotationEngine.Storage;

namespace RotationEngine;

public sealed partial class RefreshTokenEngine
{
    private void PublishOutcome(in Verdict verdict, FamilyRecord family, DateTimeOffset now)
    {
        var kind = verdict.Outcome switch
        {
            RotationOutcome.GraceReplay => RotationEventKind.GraceReplay,
            RotationOutcome.ReuseDetected => RotationEventKind.ReuseDetected,
            RotationOutcome.Revoked => RotationEventKind.Revoked,
            RotationOutcome.Expired => RotationEventKind.Expired,
            RotationOutcome.BindingMismatch => RotationEventKind.BindingMismatch,
            _ => (RotationEventKind?)null,
        };

        // Stryker disable once Statement : unreachable: PublishOutcome is called only for the outcomes mapped above
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
            FamilyId = family.Id,
            Subject = family.Subject,
            ClientId = family.ClientId,
            Generation = family.Generation,
            GenerationsBehind = verdict.Behind,
            SinceRetirement = verdict.SinceRetirement,
            RevocationReason = family.RevocationReason,
        });
    }

    /// <summary>Publishes an <see cref="RotationOutcome.Invalid"/> answer. <paramref name="claimed"/> is the family id
    /// the string names (authenticated only when the tag verified); <paramref name="trusted"/> is a sealed record of
    /// that family, whose subject and client the event may name.</summary>
    private void PublishInvalid(OutcomeCause cause, FamilyId? claimed, FamilyRecord? trusted, DateTimeOffset now) =>
        Publish(new RotationEvent
        {
            Kind = RotationEventKind.Invalid,
            Outcome = RotationOutcome.Invalid,
            Cause = cause,
            Timestamp = now,
            FamilyId = claimed,
            Subject = trusted?.Subject,
            ClientId = trusted?.ClientId,
        });

    private async ValueTask<bool> RevokeFamilyCoreAsync(FamilyRecord family, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var changed = await Call("Revoke", (family.Id, reason, now), cancellationToken, static (store, a, ct) => store.TryRevokeAsync(a.Id, a.reason, a.now, ct)).ConfigureAwait(false);
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
            case RotationEventKind.ReuseDetected when Warn(1002):
                Log.ReuseDetected(_logger, rotationEvent.Cause, rotationEvent.FamilyId, rotationEvent.Subject, rotationEvent.ClientId, rotationEvent.Generation, rotationEvent.GenerationsBehind, since);
                break;
            case RotationEventKind.Revoked:
                Log.Revoked(_logger, rotationEvent.FamilyId, rotationEvent.Subject, rotationEvent.ClientId, rotationEvent.RevocationReason, rotationEvent.GenerationsBehind);
                break;
            case RotationEventKind.Expired:
                Log.Expired(_logger, rotationEvent.FamilyId, rotationEvent.Subject, rotationEvent.ClientId, rotationEvent.Cause);
                break;
            case RotationEventKind.BindingMismatch when Warn(1005):
                Log.BindingMismatch(_logger, rotationEvent.FamilyId, rotationEvent.Subject, rotationEvent.ClientId, rotationEvent.Generation, rotationEvent.RevocationReason is not null);
                break;
            case RotationEventKind.Invalid when IsAttackSign(rotationEvent.Cause):
                if (Warn(1008))
                {
                    Log.Suspicious(_logger, rotationEvent.Cause, rotationEvent.FamilyId, rotationEvent.Subject, rotationEvent.ClientId);
                }

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

    /// <summary>Signs of attack (docs/semantics.md §8): a tag that fails, an unknown key, another client's token, a
    /// record edited outside the engine or one that does not continue an authentic token's chain. A malformed string
    /// and an authentic token of a pruned family are not.</summary>
    internal static bool IsAttackSign(OutcomeCause cause) =>
        cause is OutcomeCause.NotAuthentic or OutcomeCause.UnknownKey or OutcomeCause.ClientMismatch or OutcomeCause.Tampered or OutcomeCause.RecordMismatch;

    /// <summary>Whether a warning with <paramref name="eventId"/> may be logged now (at most 20 a minute per id);
    /// reports what an ended minute held back.</summary>
    private bool Warn(int eventId)
    {
        if (!_logger.IsEnabled(LogLevel.Warning))
        {
            // Stryker disable once Boolean : answering true here skips the budget as well, and the caller's log call then checks IsEnabled itself and writes nothing
            return false;
        }

        var allowed = _warnings.TryEnter(eventId, out var suppressed);
        if (suppressed > 0)
        {
            Log.WarningsSuppressed(_logger, suppressed, eventId);
        }

        return allowed;
    }
}
