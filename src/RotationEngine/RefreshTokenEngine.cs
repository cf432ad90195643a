using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RotationEngine.Events;
using RotationEngine.Internal;
using RotationEngine.Keys;
using RotationEngine.Storage;

namespace RotationEngine;

/// <summary>
/// Issues and rotates refresh-token families (SEMANTICS.md): hash-chained rotation, reuse detection that
/// revokes the family, and a grace policy for concurrent tabs and lost responses. Thread-safe; register one
/// per process (several processes may share one store). Expected refusals are values
/// (<see cref="RotationResult"/>); only caller bugs (<see cref="ArgumentException"/>) and store faults
/// (<see cref="RotationStoreException"/>) are thrown.
/// </summary>
public sealed partial class RefreshTokenEngine
{
    /// <summary>The longest subject accepted by <see cref="IssueAsync"/>.</summary>
    public const int MaxSubjectLength = 512;

    /// <summary>The longest client id accepted by <see cref="IssueAsync"/>.</summary>
    public const int MaxClientIdLength = 256;

    /// <summary>The longest binding accepted by <see cref="IssueAsync"/>.</summary>
    public const int MaxBindingLength = 512;

    /// <summary>The longest metadata accepted by <see cref="IssueAsync"/>.</summary>
    public const int MaxMetadataLength = 16 * 1024;

    // Compare-and-swap retries before the engine gives up with a store fault. Each failed attempt means another
    // caller changed the family (a rotation or a counted replay), so this bounds the callers racing on one family.
    private const int MaxAttempts = 128;

    private readonly IFamilyStore _store;
    private readonly IKeyRing _keys;
    private readonly RotationEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IRotationEventObserver[] _observers;

    /// <summary>Creates an engine.</summary>
    /// <param name="store">Where families live.</param>
    /// <param name="options">Policies and keys; validated here.</param>
    /// <param name="keyRing">The chain keys; default: the keys of <paramref name="options"/>, or an ephemeral key (with a warning).</param>
    /// <param name="timeProvider">The clock; default <see cref="TimeProvider.System"/>.</param>
    /// <param name="loggerFactory">Logging; default none.</param>
    /// <param name="observers">Receivers of <see cref="RotationEvent"/>s.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    public RefreshTokenEngine(
        IFamilyStore store,
        RotationEngineOptions options,
        IKeyRing? keyRing = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IEnumerable<IRotationEventObserver>? observers = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        RotationEngineOptionsValidator.ThrowIfInvalid(options);
        _store = store;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("RotationEngine");
        _keys = keyRing ?? KeyRing.FromOptions(options) ?? KeyRing.CreateEphemeral();
        _observers = observers?.ToArray() ?? [];
        if (_keys is KeyRing { IsEphemeral: true })
        {
            Log.EphemeralKey(_logger);
        }
    }

    /// <summary>Starts a family (a sign-in) at generation 0 and returns its first token.</summary>
    /// <param name="subject">The user; 1 to <see cref="MaxSubjectLength"/> characters.</param>
    /// <param name="clientId">The client; 1 to <see cref="MaxClientIdLength"/> characters. Selects the policy.</param>
    /// <param name="binding">Optional binding (DPoP key thumbprint, device id); every rotation must present it.</param>
    /// <param name="metadata">Optional host data returned with each rotation (scopes, device name). Not for secrets.</param>
    /// <param name="cancellationToken">Cancels the store call.</param>
    /// <exception cref="ArgumentException">An argument is null, empty or too long.</exception>
    /// <exception cref="RotationStoreException">The store failed; the family may or may not exist.</exception>
    public async ValueTask<IssueResult> IssueAsync(
        string subject, string clientId, string? binding = null, string? metadata = null, CancellationToken cancellationToken = default)
    {
        CheckText(subject, nameof(subject), MaxSubjectLength);
        CheckText(clientId, nameof(clientId), MaxClientIdLength);
        if (binding is not null)
        {
            CheckText(binding, nameof(binding), MaxBindingLength);
        }

        if (metadata is { Length: > MaxMetadataLength })
        {
            throw new ArgumentException($"Metadata is {metadata.Length} characters; at most {MaxMetadataLength} are allowed.", nameof(metadata));
        }

        if (metadata is not null && metadata.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("Metadata contains a NUL character, which not every store can keep.", nameof(metadata));
        }

        var policy = _options.PolicyFor(clientId);
        var key = _keys.CurrentKey;
        var now = Now();
        var id = FamilyId.New();
        var secret = default(SecretBuffer);
        HashChain.FillRandom(secret);
        var family = new FamilyRecord
        {
            Id = id,
            Subject = subject,
            ClientId = clientId,
            Binding = binding,
            KeyId = key.Id,
            Metadata = metadata,
            CreatedAt = now,
            FamilyExpiresAt = now + policy.FamilyLifetime,
            TokenExpiresAt = now + policy.TokenLifetime,
            Generation = 0,
            Digest = HashChain.Digest(secret),
            Ledger = "",
            Policy = policy,
        };

        await Guard(_store.CreateAsync(family, cancellationToken), "Create").ConfigureAwait(false);
        var token = TokenCodec.Format(id, 0, secret);
        ((Span<byte>)secret).Clear();
        return new IssueResult(token, id, Min(family.TokenExpiresAt, family.FamilyExpiresAt), family.FamilyExpiresAt);
    }

    /// <summary>
    /// Exchanges a refresh token (SEMANTICS.md §5): the current token rotates to the next generation; a
    /// retired token within the grace rule gets the current token back unchanged; a retired token outside it
    /// revokes the family. Never throws for bad input: a null, empty, huge or forged string is
    /// <see cref="RotationOutcome.Invalid"/> and changes nothing.
    /// </summary>
    /// <param name="token">The presented refresh token.</param>
    /// <param name="binding">The binding the client proved (for example its DPoP key thumbprint), if any.</param>
    /// <param name="cancellationToken">Cancels the store calls; after cancellation the outcome is unknown.</param>
    /// <exception cref="RotationStoreException">The store failed; the outcome is unknown. Retrying with the
    /// same token is safe when grace is on.</exception>
    public ValueTask<RotationResult> RotateAsync(string? token, string? binding = null, CancellationToken cancellationToken = default)
    {
        if (Telemetry.Source.HasListeners())
        {
            return RotateTracedAsync(token, binding, cancellationToken);
        }

        // Untraced fast path: no activity to flow, so a rotation that the store completes synchronously (the
        // in-memory store, a cached answer) is answered without another async state machine.
        // With no metrics listener either, nothing is timed or recorded.
        var timed = Telemetry.MetricsEnabled;
        var started = timed ? _time.GetTimestamp() : 0;
        var pending = RotateCoreAsync(token, binding, commit: true, cancellationToken);
        if (!pending.IsCompletedSuccessfully)
        {
            return RotateUntracedAsync(pending, timed, started);
        }

        if (!timed)
        {
            return pending;
        }

        // Read the result once and hand back a fresh task, whatever backs the completed one.
        var result = pending.Result;
        Telemetry.Record(result.Outcome, _time.GetElapsedTime(started));
        return new ValueTask<RotationResult>(result);
    }

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

    private async ValueTask<RotationResult> RotateTracedAsync(string? token, string? binding, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        using var activity = Telemetry.Source.StartActivity("rotation_engine.rotate");
        RotationResult result;
        try
        {
            result = await RotateCoreAsync(token, binding, commit: true, cancellationToken).ConfigureAwait(false);
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

    /// <summary>What <see cref="RotateAsync"/> would answer now, without changing anything (introspection):
    /// no rotation, no replay count, no revocation, no event, and never a token.</summary>
    /// <param name="token">The presented refresh token.</param>
    /// <param name="binding">The binding the client proved, if any.</param>
    /// <param name="cancellationToken">Cancels the store call.</param>
    /// <exception cref="RotationStoreException">The store failed.</exception>
    public ValueTask<RotationResult> InspectAsync(string? token, string? binding = null, CancellationToken cancellationToken = default) =>
        RotateCoreAsync(token, binding, commit: false, cancellationToken);

    /// <summary>Revokes the token's family if the token is authentic (current or retired). Unknown, forged and
    /// malformed tokens are not an error (RFC 7009): they change nothing and return false.</summary>
    /// <returns>Whether this call revoked the family.</returns>
    /// <exception cref="RotationStoreException">The store failed.</exception>
    public async ValueTask<bool> RevokeAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (!TokenCodec.TryParse(token, out var parsed))
        {
            return false;
        }

        var family = await Guard(_store.FindAsync(parsed.FamilyId, cancellationToken), "Find").ConfigureAwait(false);
        if (family is null || Authenticate(parsed, family, out _, out _) != OutcomeCause.None)
        {
            return false;
        }

        return await RevokeFamilyCoreAsync(family, RevocationReason.TokenRevocation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Revokes one family (sign-out of one session, an administrator's action).</summary>
    /// <returns>Whether the family was active and is now revoked.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reason"/> is not a defined value.</exception>
    /// <exception cref="RotationStoreException">The store failed.</exception>
    public async ValueTask<bool> RevokeFamilyAsync(FamilyId familyId, RevocationReason reason, CancellationToken cancellationToken = default)
    {
        CheckReason(reason);
        var now = Now();
        var changed = await Guard(_store.TryRevokeAsync(familyId, reason, now, cancellationToken), "Revoke").ConfigureAwait(false);
        if (changed)
        {
            Publish(new RotationEvent { Kind = RotationEventKind.FamilyRevoked, Timestamp = now, FamilyId = familyId, RevocationReason = reason, Count = 1 });
        }

        return changed;
    }

    /// <summary>Revokes every active family of a user (sign out everywhere, password change).</summary>
    /// <returns>How many families were revoked.</returns>
    /// <exception cref="ArgumentException"><paramref name="subject"/> is null, empty or too long.</exception>
    /// <exception cref="RotationStoreException">The store failed.</exception>
    public async ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, CancellationToken cancellationToken = default)
    {
        CheckText(subject, nameof(subject), MaxSubjectLength);
        CheckReason(reason);
        var now = Now();
        var count = await Guard(_store.RevokeSubjectAsync(subject, reason, now, cancellationToken), "RevokeSubject").ConfigureAwait(false);
        if (count > 0)
        {
            Publish(new RotationEvent { Kind = RotationEventKind.FamilyRevoked, Timestamp = now, Subject = subject, RevocationReason = reason, Count = count });
        }

        return count;
    }

    /// <summary>A user's live families: their "active sessions".</summary>
    /// <exception cref="ArgumentException"><paramref name="subject"/> is null, empty or too long.</exception>
    /// <exception cref="RotationStoreException">The store failed.</exception>
    public async ValueTask<IReadOnlyList<FamilyInfo>> ListFamiliesAsync(string subject, CancellationToken cancellationToken = default)
    {
        CheckText(subject, nameof(subject), MaxSubjectLength);
        var families = await Guard(_store.ListActiveAsync(subject, Now(), cancellationToken), "ListActive").ConfigureAwait(false);
        return families.Select(ToInfo).ToList();
    }

    /// <summary>Deletes families that were revoked or expired longer ago than
    /// <see cref="RotationEngineOptions.Retention"/>, in batches of <see cref="RotationEngineOptions.PruneBatchSize"/>.
    /// Run it from a periodic job.</summary>
    /// <returns>How many families were deleted.</returns>
    /// <exception cref="RotationStoreException">The store failed; earlier batches stay deleted.</exception>
    public async ValueTask<int> PruneAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = Now() - _options.Retention;
        var total = 0;
        int deleted;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            deleted = await Guard(_store.PruneAsync(cutoff, _options.PruneBatchSize, cancellationToken), "Prune").ConfigureAwait(false);
            total += deleted;
        }
        while (deleted >= _options.PruneBatchSize);

        Log.Pruned(_logger, total, cutoff);
        return total;
    }

    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static FamilyInfo ToInfo(FamilyRecord family) => new(
        family.Id,
        family.Subject,
        family.ClientId,
        family.Binding,
        family.Metadata,
        family.CreatedAt,
        GraceLedger.TryRead(family.Ledger, 0, out var rotatedAt, out _) ? rotatedAt : family.CreatedAt,
        family.Generation,
        Min(family.TokenExpiresAt, family.FamilyExpiresAt),
        family.FamilyExpiresAt);

    private static void CheckText(string value, string name, int maxLength)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, name);
        if (value.Length > maxLength)
        {
            throw new ArgumentException($"{name} is {value.Length} characters; at most {maxLength} are allowed.", name);
        }

        // PostgreSQL text cannot hold NUL: refuse it everywhere so that every store agrees (invariant 8).
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{name} contains a NUL character, which not every store can keep.", name);
        }
    }

    private static void CheckReason(RevocationReason reason)
    {
        if (!Enum.IsDefined(reason))
        {
            throw new ArgumentOutOfRangeException(nameof(reason), reason, "Not a defined RevocationReason.");
        }
    }
}
