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

    /// <summary>The database number, or -1 for the connection's default (the default). Must be 0 or -1 on a cluster.</summary>
    public int Database { get; set; } = -1;

    /// <summary>The prefix of every key the store writes (see docs/servers.md for the layout). At most 256
    /// characters, without <c>{</c> or <c>}</c>, which would change the cluster hash tags. Default <c>rotation:</c>.</summary>
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary>The retention when <see cref="Retention"/> is not set: 7 days, as the engine's default.</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(7);

    /// <summary>How long a family outlives its expiry or revocation before its key expires by itself, and so how
    /// long its id stays in its subject's index after the family's absolute expiry. Whole milliseconds from zero to
    /// 3,650 days. It should equal the engine's <c>RotationEngineOptions.Retention</c>, and must stay above the clock
    /// skew between engine hosts (docs/servers.md). When null, <c>UseRedisStore</c> takes the engine's and a directly
    /// built store takes <see cref="DefaultRetention"/>.</summary>
    public TimeSpan? Retention { get; set; }
}
