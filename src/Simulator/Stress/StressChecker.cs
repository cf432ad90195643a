using System.Globalization;
using RotationEngine;

namespace Simulator.Stress;

/// <summary>
/// Checks a concurrent history after the run (docs/semantics.md §7): single lineage (one rotation per generation,
/// each to the next generation), final revocation (nothing succeeds once a revocation has completed), and
/// linearizability of each family's chain: the rotations, ordered by the generation they produced, and the
/// replays between them, must fit their real-time intervals.
/// </summary>
internal static class StressChecker
{
    public static IReadOnlyList<string> Check(IReadOnlyList<StressOperation> history, IReadOnlyDictionary<int, int> finalGenerations)
    {
        var problems = new List<string>();
        void Problem(string text)
        {
            if (problems.Count < 20)
            {
                problems.Add(text);
            }
        }

        foreach (var family in history.GroupBy(op => op.Family))
        {
            var ops = family.ToList();
            var rotations = new Dictionary<int, StressOperation>();
            foreach (var op in ops.Where(o => o.Outcome == RotationOutcome.Rotated))
            {
                if (op.ResultGeneration != op.PresentedGeneration + 1)
                {
                    Problem(F($"single lineage: family #{family.Key}: a rotation of generation {op.PresentedGeneration} produced generation {op.ResultGeneration}"));
                }

                if (!rotations.TryAdd(op.ResultGeneration, op))
                {
                    Problem(F($"single lineage: family #{family.Key}: generation {op.PresentedGeneration} rotated twice (workers {rotations[op.ResultGeneration].Worker} and {op.Worker})"));
                }
            }

            var revokedAt = ops.Where(o => o.Outcome is RotationOutcome.ReuseDetected or RotationOutcome.Revoked).Select(o => o.CompletedAt).DefaultIfEmpty(long.MaxValue).Min();
            foreach (var op in ops.Where(o => o.Succeeded && o.InvokedAt > revokedAt))
            {
                Problem(F($"revocation is final: family #{family.Key}: {op.Outcome} for worker {op.Worker} invoked after the family's revocation had completed"));
            }

            var generations = rotations.Keys.Order().ToList();
            for (var i = 1; i < generations.Count; i++)
            {
                var earlier = rotations[generations[i - 1]];
                var later = rotations[generations[i]];
                if (later.CompletedAt < earlier.InvokedAt)
                {
                    Problem(F($"linearizability: family #{family.Key}: the rotation to generation {generations[i]} completed before the rotation to generation {generations[i - 1]} began"));
                }
            }

            foreach (var op in ops.Where(o => o.Outcome == RotationOutcome.GraceReplay))
            {
                var g = op.ResultGeneration;
                if (g > 0 && rotations.TryGetValue(g, out var producer) && op.CompletedAt < producer.InvokedAt)
                {
                    Problem(F($"linearizability: family #{family.Key}: a replay returned generation {g} before the rotation producing it began"));
                }

                if (rotations.TryGetValue(g + 1, out var successor) && successor.CompletedAt < op.InvokedAt)
                {
                    Problem(F($"linearizability: family #{family.Key}: a replay returned generation {g} after generation {g + 1} had been produced"));
                }
            }

            if (finalGenerations.TryGetValue(family.Key, out var stored) && stored != rotations.Count)
            {
                Problem(F($"single lineage: family #{family.Key}: the store is at generation {stored} after {rotations.Count} successful rotations"));
            }
        }

        return problems;
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
