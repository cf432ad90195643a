using RotationEngine.Storage;
using StackExchange.Redis;

namespace RotationEngine.Redis.Internal;

/// <summary>The Redis store's use of <see cref="StoreFaults"/>: server failures (not <see cref="System.Data.Common.DbException"/>s)
/// are faults too; the message names the operation and the failure kind but no endpoint, password or value, and the
/// driver's exception rides along as the inner exception (it may name the server's host and port, never the password).</summary>
internal static class RedisFault
{
    public static bool IsFault(Exception exception) => exception is RedisException || StoreFaults.IsFault(exception);

    public static RotationStoreException Create(string operation, Exception exception) =>
        StoreFaults.Create("Redis", operation, exception.GetType().Name, exception);
}
