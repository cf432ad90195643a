using StackExchange.Redis;

namespace RotationEngine.Redis.Internal;

/// <summary>
/// The key layout (docs/servers.md). A family's hash is <c>{prefix}family:{{id}}</c>: the braces make the id its
/// cluster hash tag, so every script on a family runs on one shard. The subject index
/// <c>{prefix}subject:{subject}</c> is a set of family ids, and <c>{prefix}prune</c> is a sorted set of family
/// ids scored by the earliest time each could be pruned; both span families and live on their own shard.
/// </summary>
internal sealed class RedisKeys
{
    private readonly string _prefix;

    public RedisKeys(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            throw new ArgumentException("The key prefix must not contain '{' or '}' (they are the cluster hash tags).", nameof(prefix));
        }

        _prefix = prefix;
        PruneIndex = prefix + "prune";
    }

    public RedisKey PruneIndex { get; }

    public RedisKey Family(FamilyId id) => $"{_prefix}family:{{{id}}}";

    public RedisKey Subject(string subject) => $"{_prefix}subject:{subject}";
}
