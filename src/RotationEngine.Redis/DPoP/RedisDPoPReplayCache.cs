using System.Globalization;
using RotationEngine.DPoP;
using RotationEngine.Redis.Internal;
using RotationEngine.Storage;
using StackExchange.Redis;

namespace RotationEngine.Redis.DPoP;

/// <summary>
/// A DPoP replay cache shared by every instance on the family store's Redis: one key per accepted proof,
/// <c>{KeyPrefix}dpop:{32 hex digits of the 128-bit proof key}</c> (a fixed size, no client-chosen byte), written by
/// one Lua script (by <c>EVALSHA</c>) that refuses a live entry and otherwise sets it, so that exactly one of any
/// number of racing instances accepts a proof. The entry's value is its expiry in engine time, compared with the
/// caller's <c>now</c> (never Redis's clock); the key expires by itself that long after <c>now</c>, so nothing needs
/// pruning. One key per proof is one hash slot, so it runs on Redis Cluster too. Faults surface as
/// <see cref="RotationStoreException"/> (answered 503 + <c>Retry-After</c>).
/// </summary>
public sealed class RedisDPoPReplayCache : IDPoPReplayCache, IAsyncDisposable, IDisposable
{
    private readonly RedisKeys _keys;
    private readonly RedisConnection _connection;

    /// <summary>Creates the cache on the server, database and key prefix of the family store's
    /// <paramref name="options"/>: the host's <see cref="RedisFamilyStoreOptions.Connection"/> when set (shared, never
    /// disposed here), else a connection of its own made from <see cref="RedisFamilyStoreOptions.Configuration"/> at
    /// the first proof.</summary>
    /// <param name="options">The family store's options.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    public RedisDPoPReplayCache(RedisFamilyStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RedisFamilyStoreOptionsValidator.ThrowIfInvalid(options);
        _keys = new RedisKeys(options.KeyPrefix);
        _connection = new RedisConnection(options);
    }

    /// <inheritdoc />
    /// <remarks>StackExchange.Redis takes no cancellation token: a call cancelled while in flight stops waiting, and
    /// the proof may or may not have been recorded (it is refused later, never accepted twice).</remarks>
    public async ValueTask<bool> TryAddAsync(UInt128 proofKey, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var db = await _connection.DatabaseAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await RedisScripts.EvaluateAsync(
                db,
                RedisScripts.DPoPTryAdd,
                _keys.DPoPProof(proofKey),
                [Milliseconds(now), Milliseconds(expiresAt)]).WaitAsync(cancellationToken).ConfigureAwait(false);
            return (int)result == 1;
        }
        catch (Exception exception) when (RedisFault.IsFault(exception))
        {
            throw RedisFault.Create("DPoPTryAdd", exception);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    private static RedisValue Milliseconds(DateTimeOffset time) => FamilyColumns.Milliseconds(time).ToString(CultureInfo.InvariantCulture);
}
