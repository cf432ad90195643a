using StackExchange.Redis;

namespace RotationEngine.Redis;

/// <summary>Where and how <see cref="RedisFamilyStore"/> keeps families.</summary>
public sealed class RedisFamilyStoreOptions
{
    /// <summary>The default <see cref="KeyPrefix"/>.</summary>
    public const string DefaultKeyPrefix = "rotation:";

    /// <summary>A StackExchange.Redis configuration string (e.g. <c>localhost:6379,password=…</c>). The store
    /// connects on first use and disposes the connection. Ignored when <see cref="Connection"/> is set.</summary>
    public string? Configuration { get; set; }

    /// <summary>A connection the host owns (the store does not dispose it). Takes precedence over
    /// <see cref="Configuration"/>.</summary>
    public IConnectionMultiplexer? Connection { get; set; }

    /// <summary>The database number, or -1 for the connection's default.</summary>
    public int Database { get; set; } = -1;

    /// <summary>The prefix of every key the store writes (see docs/servers.md for the layout). Must not contain
    /// <c>{</c> or <c>}</c>, which would change the cluster hash tags. Default <c>rotation:</c>.</summary>
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary>The retention when <see cref="Retention"/> is not set: 7 days, as the engine's default.</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(7);

    /// <summary>How long a family outlives its expiry or revocation before its key expires by itself. It should
    /// equal the engine's <c>RotationEngineOptions.Retention</c> (keep it above the clock skew between engine
    /// hosts). When null, <c>UseRedisStore</c> takes the engine's and a directly built store takes
    /// <see cref="DefaultRetention"/>.</summary>
    public TimeSpan? Retention { get; set; }
}
