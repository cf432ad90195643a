using System.Globalization;
using RotationEngine.Redis;
using RotationEngine.Servers.Tests.Infrastructure;
using RotationEngine.Storage;
using StackExchange.Redis;

namespace RotationEngine.Servers.Tests.Redis;

/// <summary>Stores on the shared server, each under a key prefix of its own so that tests never see each other's keys.</summary>
internal static class RedisStores
{
    public static string NewPrefix() => "t:" + Guid.NewGuid().ToString("N") + ":";

    public static async Task<RedisFamilyStore> CreateAsync(string? configuration = null, string? prefix = null, TimeSpan? retention = null)
    {
        if (configuration is null)
        {
            await TestServers.RequireRedisAsync();
        }

        return new RedisFamilyStore(new RedisFamilyStoreOptions
        {
            Configuration = configuration ?? TestServers.RedisConfiguration,
            KeyPrefix = prefix ?? NewPrefix(),
            Retention = retention,
        });
    }
}

/// <summary>A Redis store's hashes through plain commands, bypassing the store.</summary>
internal sealed class RedisRawRecords(IDatabase db, string prefix) : IRawRecords
{
    public async Task SetAsync(FamilyId id, string column, object value)
    {
        RedisValue written = value switch
        {
            long number => number.ToString(CultureInfo.InvariantCulture),
            string text => text,
            _ => throw new ArgumentException($"Unexpected {value.GetType().Name}.", nameof(value)),
        };
        Assert.True(await db.KeyExistsAsync(Key(id)));
        await db.HashSetAsync(Key(id), column, written);
    }

    public async Task<byte[]> DigestAsync(FamilyId id) => (byte[])(await db.HashGetAsync(Key(id), FamilyColumns.Digest))!;

    private RedisKey Key(FamilyId id) => $"{prefix}family:{{{id}}}";
}

/// <summary>A Redis store whose <see cref="IFamilyStore.CreateAsync"/> runs its two halves (subject index, then hash
/// and prune index) with <paramref name="between"/> in the middle: the window a concurrent reader can fall into.</summary>
internal sealed class SplitCreateStore(RedisFamilyStore inner, Func<FamilyRecord, Task> between) : IFamilyStore
{
    public async ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default)
    {
        await inner.IndexAsync(family, cancellationToken);
        await between(family);
        await inner.WriteAsync(family, cancellationToken);
    }

    public ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default) => inner.TryRotateAsync(command, cancellationToken);

    public ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default) => inner.FindAsync(id, cancellationToken);

    public ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default) =>
        inner.TryRecordReplayAsync(id, generation, expectedLedger, newLedger, cancellationToken);

    public ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.TryRevokeAsync(id, reason, now, cancellationToken);

    public ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.RevokeSubjectAsync(subject, reason, now, cancellationToken);

    public ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.ListActiveAsync(subject, now, cancellationToken);

    public ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default) =>
        inner.PruneAsync(cutoff, batchSize, cancellationToken);
}
