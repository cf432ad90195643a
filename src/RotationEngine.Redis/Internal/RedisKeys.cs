using StackExchange.Redis;

namespace RotationEngine.Redis.Internal;

/// <summary>
/// The key layout (docs/servers.md). A family's hash is <c>{prefix}family:{{id}}</c>: the braces make the id its
/// cluster hash tag, so every script on a family runs on one shard. The subject index <c>{prefix}subject:{subject}</c>
/// is a sorted set of family ids scored by the latest time each family's key can live (engine milliseconds), and
/// <c>{prefix}prune</c> is a sorted set of family ids scored by the earliest time each could be pruned; both span
/// families and live on their own shard. An accepted DPoP proof is <c>{prefix}dpop:{32 hex digits}</c>: the 128-bit
/// digest of thumbprint and <c>jti</c>, so the key has a fixed size and no byte of it is the client's.
/// </summary>
internal sealed class RedisKeys
{
    private readonly string _prefix;

    public RedisKeys(string prefix)
    {
        // The options validator gives the caller-facing message; this keeps the layout safe whoever builds it.
        ArgumentNullException.ThrowIfNull(prefix);
        if (!RedisFamilyStoreOptionsValidator.IsKeyPrefix(prefix))
        {
            throw new ArgumentException("The key prefix must not contain '{' or '}' (they are the cluster hash tags).", nameof(prefix));
        }

        _prefix = prefix;
        PruneIndex = prefix + "prune";
    }

    public RedisKey PruneIndex { get; }

    public RedisKey Family(FamilyId id) => $"{_prefix}family:{{{id}}}";

    public RedisKey Subject(string subject) => $"{_prefix}subject:{subject}";

    public RedisKey DPoPProof(UInt128 proofKey) => $"{_prefix}dpop:{proofKey:x32}";
}
