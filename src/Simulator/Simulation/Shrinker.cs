using Simulator.Oracle;

namespace Simulator.Simulation;

/// <summary>
/// Shrinks a failing run to a shorter one that still breaks the same invariant: stop at the failure, drop
/// kinds of fault and actor (attackers, forgeries, network faults, restarts, extra instances), then drop users
/// (delta debugging: halves, quarters, … single users). Each candidate is a full deterministic re-run.
/// </summary>
internal sealed class Shrinker(Func<RunSpec, RunResult> run, int maxRuns = 400, double maxSeconds = 60)
{
    public int Runs { get; private set; }

    public (RunSpec Spec, RunResult Result) Shrink(RunSpec failing, InvariantViolation violation)
    {
        var started = TimeProvider.System.GetTimestamp();
        bool Budget() => Runs < maxRuns && TimeProvider.System.GetElapsedTime(started).TotalSeconds < maxSeconds;
        var best = failing with { Filter = failing.Filter with { UntilMs = violation.Time + 1 }, RecordFullHistory = false };
        var bestResult = run(best);
        Runs++;
        if (bestResult.Violation?.Invariant != violation.Invariant)
        {
            // Stopping early changed nothing before the failure, so this cannot happen unless the run is not
            // deterministic; keep the original then.
            best = failing;
            bestResult = run(best);
        }

        bool TryAccept(RunFilter candidate)
        {
            if (!Budget())
            {
                return false;
            }

            var spec = best with { Filter = candidate };
            var result = run(spec);
            Runs++;
            if (result.Violation?.Invariant != violation.Invariant)
            {
                return false;
            }

            best = spec with { Filter = candidate with { UntilMs = result.Violation.Time + 1 } };
            bestResult = result;
            return true;
        }

        TryAccept(best.Filter with { NoAttackers = true });
        TryAccept(best.Filter with { NoForgery = true });
        TryAccept(best.Filter with { NoNetworkFaults = true });
        TryAccept(best.Filter with { NoRestarts = true });
        TryAccept(best.Filter with { SingleInstance = true });

        var users = (best.Filter.OnlyUsers ?? Enumerable.Range(0, best.Scenario.Population.Users)).ToList();
        var chunk = Math.Max(1, users.Count / 2);
        while (chunk >= 1 && users.Count > 1 && Budget())
        {
            var removedAny = false;
            for (var start = 0; start < users.Count && users.Count > 1 && Budget();)
            {
                var candidate = users.Take(start).Concat(users.Skip(start + chunk)).ToList();
                if (candidate.Count > 0 && TryAccept(best.Filter with { OnlyUsers = candidate }))
                {
                    users = candidate;
                    removedAny = true;
                }
                else
                {
                    start += chunk;
                }
            }

            if (!removedAny || chunk > users.Count)
            {
                chunk /= 2;
            }
        }

        var traced = best with { RecordFullHistory = true };
        return (traced, run(traced));
    }

    /// <summary>The entries worth reading: all of a short history, or those of the failing family's actors.</summary>
    public static IReadOnlyList<HistoryEntry> Trace(RunResult result, int limit = 60)
    {
        var history = result.History;
        if (history.Count <= limit || result.Violation is null)
        {
            return history;
        }

        var family = result.Violation.Family;
        var actors = history.Where(e => e.Family == family).Select(e => e.Process).ToHashSet();
        var relevant = history.Where(e => e.Family == family || (actors.Contains(e.Process) && e.Type != EntryType.Serve) || e.Type == EntryType.Restart).ToList();
        return relevant.Skip(Math.Max(0, relevant.Count - limit)).ToList();
    }
}
