using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RotationEngine.Events;
using RotationEngine.Internal;
using RotationEngine.Keys;
using RotationEngine.Storage;

namespace RotationEngine;

/// <summary>
/// Issues and rotates refresh-token families (docs/semantics.md): hash-chained rotation, reuse detection that revokes
/// the family, a grace policy for concurrent tabs and lost responses, tokens tagged so that a forgery costs no store
/// access, and families sealed against store writers. Thread-safe; register one per process (several processes may
/// share one store). Expected refusals are values (<see cref="RotationResult"/>); only caller bugs
/// (<see cref="ArgumentException"/>) and store faults (<see cref="RotationStoreException"/>) are thrown.
/// </summary>
public sealed partial class RefreshTokenEngine
{
    /// <summary>The longest subject accepted by <see cref="IssueAsync"/>.</summary>
    public const int MaxSubjectLength = 512;

    /// <summary>The longest client id accepted.</summary>
    public const int MaxClientIdLength = 256;

    /// <summary>The longest binding accepted.</summary>
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
    private readonly WarningGate _warnings;
    private readonly IRotationEventObserver[] _observers;

    /// <summary>Creates an engine.</summary>
    /// <param name="store">Where families live.</param>
    /// <param name="options">Policies and keys; validated here.</param>
    /// <param name="keyRing">The server keys; default: the keys of <paramref name="options"/>, or an ephemeral key when
    /// <see cref="RotationEngineOptions.AllowEphemeralKey"/> is set.</param>
    /// <param name="timeProvider">The clock; default <see cref="TimeProvider.System"/>.</param>
    /// <param name="loggerFactory">Logging; default none.</param>
    /// <param name="observers">Receivers of <see cref="RotationEvent"/>s.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    /// <exception cref="InvalidOperationException">No key is configured and ephemeral keys are not allowed.</exception>
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
        _warnings = new WarningGate(_time);
        _keys = keyRing ?? KeyRing.FromOptions(options) ?? (options.AllowEphemeralKey ? KeyRing.CreateEphemeral() : throw NoKeyException());
        _observers = observers?.ToArray() ?? [];
        if (_keys is KeyRing { IsEphemeral: true } ephemeral)
        {
            Log.EphemeralKey(_logger, ephemeral.CurrentKey.Id);
        }
    }

    /// <summary>Starts a family (a sign-in) at generation 0 and returns its first token.</summary>
    /// <param name="subject">The user; 1 to <see cref="MaxSubjectLength"/> characters.</param>
    /// <param name="clientId">The client; 1 to <see cref="MaxClientIdLength"/> characters. Selects the policy, and only
    /// this client can rotate, inspect or revoke the family's tokens.</param>
    /// <param name="binding">Optional binding (a DPoP key thumbprint, a device id); every rotation must present it.
    /// Required when the client's <see cref="RotationPolicy.RequireBinding"/> is set.</param>
    /// <param name="metadata">Optional host data returned with each rotation (scopes, device name). Not for secrets.</param>
    /// <param name="cancellationToken">Cancels the store call.</param>
    /// <exception cref="ArgumentException">An argument is null, empty, too long, holds NUL or a lone surrogate, or the
    /// client requires a binding and none was given.</exception>
    /// <exception cref="RotationStoreException">The store failed; the family may or may not exist.</exception>
    public async ValueTask<IssueResult> IssueAsync(
        string subject, string clientId, string? binding = null, string? metadata = null, CancellationToken cancellationToken = default)
    {
        InputRules.CheckText(subject, nameof(subject), MaxSubjectLength);
        InputRules.CheckText(clientId, nameof(clientId), MaxClientIdLength);
        InputRules.CheckOptionalText(binding, nameof(binding), MaxBindingLength);
        InputRules.CheckOptionalContent(metadata, nameof(metadata), MaxMetadataLength);
        var policy = _options.PolicyFor(clientId);
        if (policy.RequireBinding && binding is null)
        {
            throw new ArgumentException($"Client '{clientId}' requires every family to be bound (RotationPolicy.RequireBinding); pass the binding, for example the DPoP key thumbprint.", nameof(binding));
        }

        var key = _keys.CurrentKey;
        var now = Now();
        var id = FamilyId.New();
        var secret = default(SecretBuffer);
        TokenCrypto.FillRandom(secret);
        var digest = new byte[FamilyColumns.DigestSize];
        var token = TokenCrypto.Issue(key, id, 0, IssueTime(now), secret, digest);
        // Stryker disable once Statement : the first secret is a local dropped on return; clearing it is hygiene only
        ((Span<byte>)secret).Clear();
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
            Digest = digest,
            Ledger = "",
            Policy = PolicySnapshot.Of(policy),
            Seal = [],
        };
        family = family with { Seal = FamilySeal.Compute(key, family) };

        await Call("Create", family, cancellationToken, static (store, family, ct) => store.CreateAsync(family, ct)).ConfigureAwait(false);
        return new IssueResult(token, id, Min(family.TokenExpiresAt, family.FamilyExpiresAt), family.FamilyExpiresAt);
    }

    /// <summary>
    /// Exchanges a refresh token (docs/semantics.md §5): the current token rotates to the next generation; a retired
    /// token within the grace rule gets the current token back unchanged; a retired token outside it revokes the
    /// family. Never throws for a bad token: a null, empty, huge or forged string is <see cref="RotationOutcome.Invalid"/>
    /// and changes nothing, decided without a store call unless the token's tag verifies.
    /// </summary>
    /// <param name="token">The presented refresh token.</param>
    /// <param name="clientId">The authenticated client presenting it (RFC 6749 §6): part of the single conditional
    /// write, so another client's token changes nothing.</param>
    /// <param name="binding">The binding the client proved (for example its DPoP key thumbprint), if any.</param>
    /// <param name="cancellationToken">Cancels the store calls; after cancellation the outcome is unknown.</param>
    /// <exception cref="ArgumentException"><paramref name="clientId"/> or <paramref name="binding"/> is not a value
    /// <see cref="IssueAsync"/> would accept.</exception>
    /// <exception cref="RotationStoreException">The store failed; the outcome is unknown. Retrying with the same token
    /// is safe when grace is on.</exception>
    public ValueTask<RotationResult> RotateAsync(string? token, string clientId, string? binding = null, CancellationToken cancellationToken = default)
    {
        InputRules.CheckText(clientId, nameof(clientId), MaxClientIdLength);
        InputRules.CheckOptionalText(binding, nameof(binding), MaxBindingLength);
        if (Telemetry.Source.HasListeners())
        {
            return RotateTracedAsync(token, clientId, binding, cancellationToken);
        }

        // Untraced fast path: no activity to flow, so a rotation that the store completes synchronously (the
        // in-memory store, a cached answer) is answered without another async state machine.
        // With no metrics listener either, nothing is timed or recorded.
        var timed = Telemetry.MetricsEnabled;
        // Stryker disable once Conditional : started is read only when timed
        var started = timed ? _time.GetTimestamp() : 0;
        var pending = RotateCoreAsync(token, clientId, binding, commit: true, cancellationToken);
        if (!pending.IsCompletedSuccessfully)
        {
            return RotateUntracedAsync(pending, timed, started);
        }

        // Stryker disable once Block : with no metrics listener, recording has no one to observe it
        if (!timed)
        {
            return pending;
        }

        var result = pending.Result;
        Telemetry.Record(result.Outcome, _time.GetElapsedTime(started));
        return new ValueTask<RotationResult>(result);
    }

    /// <summary>What <see cref="RotateAsync"/> would answer now, without changing anything (introspection): no
    /// rotation, no replay count, no revocation, no event, and never a token.</summary>
    /// <param name="token">The presented refresh token.</param>
    /// <param name="clientId">The client asking, or null to answer whatever the family's client (for a resource
    /// server's introspection); a token of another client is <see cref="RotationOutcome.Invalid"/>.</param>
    /// <param name="binding">The binding the client proved, if any.</param>
    /// <param name="cancellationToken">Cancels the store call.</param>
    /// <exception cref="ArgumentException"><paramref name="clientId"/> or <paramref name="binding"/> is invalid.</exception>
    /// <exception cref="RotationStoreException">The store failed.</exception>
    public ValueTask<RotationResult> InspectAsync(string? token, string? clientId = null, string? binding = null, CancellationToken cancellationToken = default)
    {
        InputRules.CheckOptionalText(clientId, nameof(clientId), MaxClientIdLength);
        InputRules.CheckOptionalText(binding, nameof(binding), MaxBindingLength);
        return RotateCoreAsync(token, clientId, binding, commit: false, cancellationToken);
    }

    /// <summary>Revokes the token's family if the token is authentic (current or retired, proved against the family's
    /// chain) and, when <paramref name="clientId"/> is given, of that client. Unknown, forged, malformed and other
    /// clients' tokens are not an error (RFC 7009): they change nothing and return false.</summary>
    /// <returns>Whether this call revoked the family.</returns>
    /// <exception cref="ArgumentException"><paramref name="clientId"/> is invalid or <paramref name="reason"/> undefined.</exception>
    /// <exception cref="RotationStoreException">The store failed.</exception>
    public async ValueTask<bool> RevokeAsync(string? token, string? clientId = null, RevocationReason reason = RevocationReason.TokenRevocation, CancellationToken cancellationToken = default)
    {
        InputRules.CheckOptionalText(clientId, nameof(clientId), MaxClientIdLength);
        CheckReason(reason);
        if (Authenticate(token, out var parsed, out var key, out var digest) is { } refusal)
        {
            PublishInvalid(refusal, refusal == OutcomeCause.Malformed ? null : parsed.FamilyId, null, Now());
            return false;
        }

        var now = Now();
        var family = await Call("Find", parsed.FamilyId, cancellationToken, static (store, id, ct) => store.FindAsync(id, ct)).ConfigureAwait(false);
        var cause = Classifier.CheckRevocation(key!, parsed, digest, family, clientId);
        if (cause == OutcomeCause.FamilyRevoked)
        {
            return false;
        }

        if (cause != OutcomeCause.None)
        {
            PublishInvalid(cause, parsed.FamilyId, cause is OutcomeCause.ClientMismatch or OutcomeCause.RecordMismatch ? family : null, now);
            return false;
        }

        return await RevokeFamilyCoreAsync(family!, reason, now, cancellationToken).ConfigureAwait(false);
    }

    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());

    /// <summary>A time as a token's 48-bit issue time.</summary>
    private static long IssueTime(DateTimeOffset now)
    {
        var milliseconds = now.ToUnixTimeMilliseconds();
        // Stryker disable once Equality : DateTimeOffset.MaxValue (year 9999) is below MaxIssuedAt (2^48-1 ms, year 10889), so the upper bound is never reached
        return milliseconds is >= 0 and <= TokenCodec.MaxIssuedAt
            ? milliseconds
            : throw new InvalidOperationException($"The engine's clock reads {now:O}, outside the years 1970 to 10889 that a token can carry.");
    }

    // Stryker disable once Equality : for equal times both branches return the same value
    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    internal static InvalidOperationException NoKeyException() => new(
        "No server keys are configured. Set RotationEngineOptions.Keys (an id and a base64 secret of at least 32 random bytes) "
        + "or register an IKeyRing. For tests and development only, RotationEngineOptions.AllowEphemeralKey = true (or the Development "
        + "environment) makes the engine generate a key that dies with the process.");

    private static void CheckReason(RevocationReason reason)
    {
        if (!Enum.IsDefined(reason))
        {
            throw new ArgumentOutOfRangeException(nameof(reason), reason, "Not a defined RevocationReason.");
        }
    }
}
