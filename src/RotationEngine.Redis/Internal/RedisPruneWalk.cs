using System.Globalization;
using RotationEngine.Storage;
using StackExchange.Redis;

namespace RotationEngine.Redis.Internal;

/// <summary>
/// <see cref="RedisFamilyStore.PruneAsync"/>'s walk of the prune index from its lowest score: each candidate's family is
/// deleted if prunable at the cutoff (and then leaves its subject's index), dropped from the index if its key already
/// expired, or re-scored otherwise. One script per candidate, on the candidate's own key (its cluster slot).
/// </summary>
internal static class RedisPruneWalk
{
    public static async ValueTask<int> RunAsync(IDatabase db, RedisKeys keys, long cutoffMilliseconds, int batchSize, CancellationToken cancellationToken)
    {
        var cutoff = (RedisValue)cutoffMilliseconds.ToString(CultureInfo.InvariantCulture);
        var deleted = 0;
        while (deleted < batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var candidates = await db.SortedSetRangeByScoreAsync(
                keys.PruneIndex, double.NegativeInfinity, cutoffMilliseconds, Exclude.Stop, take: batchSize - deleted).ConfigureAwait(false);
            if (candidates.Length == 0)
            {
                break;
            }

            var visits = candidates.Select(member => (member, result: RedisScripts.EvaluateAsync(db, RedisScripts.PruneOne, FamilyKey(keys, member), [cutoff]))).ToList();
            var cleanups = new List<Task>(visits.Count * 2);
            foreach (var (member, pending) in visits)
            {
                var result = await pending.ConfigureAwait(false);
                switch ((int)result[0])
                {
                    case 1:
                        // The family is gone for good (ids are never reused), so its index entries may go too.
                        deleted++;
                        cleanups.Add(db.SortedSetRemoveAsync(keys.Subject((string)result[1]!), member));
                        cleanups.Add(db.SortedSetRemoveAsync(keys.PruneIndex, member));
                        break;
                    case 2:
                        cleanups.Add(db.SortedSetAddAsync(keys.PruneIndex, member, (long)result[1], SortedSetWhen.Exists));
                        break;
                    default:
                        cleanups.Add(db.SortedSetRemoveAsync(keys.PruneIndex, member));
                        break;
                }
            }

            foreach (var cleanup in cleanups)
            {
                await cleanup.ConfigureAwait(false);
            }
        }

        return deleted;
    }

    private static RedisKey FamilyKey(RedisKeys keys, RedisValue member) =>
        FamilyId.TryParse((string?)member, out var id) ? keys.Family(id) : throw new RotationStoreException("The prune index holds a member that is not a family id.");
}
