using RotationEngine.Redis;
using RotationEngine.Servers.Tests.Infrastructure;

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
