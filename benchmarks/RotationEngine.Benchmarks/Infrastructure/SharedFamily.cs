namespace RotationEngine.Benchmarks.Infrastructure;

/// <summary>
/// One family rotated by many callers at once under the "tabs" policy (grace depth 8, window 1 hour). Each
/// caller presents the newest token it knows of; a rotation publishes its token if it is newer. A token that
/// falls out of grace (a caller descheduled for more than 8 generations) revokes the family, as it must: the
/// family is then replaced and the event counted, so the run goes on measuring rotations.
/// </summary>
internal sealed class SharedFamily(RefreshTokenEngine engine)
{
    private Current _current = Issue(engine);
    private long _rotated;
    private long _replayed;
    private long _replaced;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _others = new(StringComparer.Ordinal);

    public async ValueTask RotateAsync()
    {
        var seen = Volatile.Read(ref _current);
        var result = await engine.RotateAsync(seen.Token, EngineFixture.Tabs);
        switch (result.Outcome)
        {
            case RotationOutcome.Rotated:
                Interlocked.Increment(ref _rotated);
                Publish(new Current(result.Token!, result.FamilyId!.Value, result.Generation));
                break;
            case RotationOutcome.GraceReplay:
                Interlocked.Increment(ref _replayed);
                break;
            default:
                _others.AddOrUpdate($"{result.Outcome} ({result.Cause})", 1, static (_, n) => n + 1);

                // Revoked by a too-old token, or at the generation limit: start a new family once.
                if (Interlocked.CompareExchange(ref _current, Issue(engine), seen) == seen)
                {
                    Interlocked.Increment(ref _replaced);
                }

                break;
        }
    }

    public string Describe() =>
        $"{Interlocked.Read(ref _rotated):N0} rotated, {Interlocked.Read(ref _replayed):N0} grace replays, {Interlocked.Read(ref _replaced):N0} families replaced"
        + (_others.IsEmpty ? "" : "; other outcomes: " + string.Join(", ", _others.Select(o => $"{o.Key} x{o.Value:N0}")));

    private void Publish(Current next)
    {
        var seen = Volatile.Read(ref _current);
        while (seen.FamilyId == next.FamilyId && seen.Generation < next.Generation)
        {
            var found = Interlocked.CompareExchange(ref _current, next, seen);
            if (found == seen)
            {
                return;
            }

            seen = found;
        }
    }

    private static Current Issue(RefreshTokenEngine engine)
    {
        var issued = engine.IssueAsync(EngineFixture.Subject, EngineFixture.Tabs).AsTask().GetAwaiter().GetResult();
        return new Current(issued.Token, issued.FamilyId, 0);
    }

    private sealed record Current(string Token, FamilyId FamilyId, int Generation);
}
