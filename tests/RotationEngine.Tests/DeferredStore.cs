using RotationEngine.Storage;

namespace RotationEngine.Tests;

/// <summary>
/// A store decorator that answers chosen calls later (after <see cref="Release"/>, on a thread-pool thread) or fails
/// them, the way a networked store does; every other call goes straight to the inner store. Operations are named as
/// the engine names them in its faults ("Create", "Find", "Rotate", "RecordReplay", "Revoke", "RevokeSubject",
/// "ListActive", "Prune"); the predicates get the name and the 1-based count of that operation's calls.
/// </summary>
internal sealed class DeferredStore(IFamilyStore inner) : IFamilyStore
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, int> _calls = [];

    public Func<string, int, bool> Defer { get; set; } = static (_, _) => false;

    public Func<string, int, bool> Fail { get; set; } = static (_, _) => false;

    /// <summary>What a failing call throws (in its task when deferred, synchronously otherwise).</summary>
    public Func<Exception> Fault { get; set; } = static () => new InvalidOperationException("The disk is on fire.");

    public int Calls(string operation)
    {
        lock (_calls)
        {
            return _calls.GetValueOrDefault(operation);
        }
    }

    /// <summary>Lets every deferred call (made or still to come) continue.</summary>
    public void Release() => _gate.TrySetResult();

    public ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default) =>
        RunWithoutResult("Create", () => new ValueTask<bool>(Complete(inner.CreateAsync(family, cancellationToken))));

    public ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default) =>
        Run("Find", () => inner.FindAsync(id, cancellationToken));

    public ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default) =>
        Run("Rotate", () => inner.TryRotateAsync(command, cancellationToken));

    public ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default) =>
        Run("RecordReplay", () => inner.TryRecordReplayAsync(id, generation, expectedLedger, newLedger, cancellationToken));

    public ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Run("Revoke", () => inner.TryRevokeAsync(id, reason, now, cancellationToken));

    public ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Run("RevokeSubject", () => inner.RevokeSubjectAsync(subject, reason, now, cancellationToken));

    public ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Run("ListActive", () => inner.ListActiveAsync(subject, now, cancellationToken));

    public ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default) =>
        Run("Prune", () => inner.PruneAsync(cutoff, batchSize, cancellationToken));

    private static bool Complete(ValueTask pending)
    {
        pending.GetAwaiter().GetResult();
        return true;
    }

    private ValueTask<T> Run<T>(string operation, Func<ValueTask<T>> call)
    {
        int count;
        lock (_calls)
        {
            count = _calls[operation] = _calls.GetValueOrDefault(operation) + 1;
        }

        var fail = Fail(operation, count);
        if (!Defer(operation, count))
        {
            return fail ? throw Fault() : call();
        }

        return Later(fail, call);
    }

    private async ValueTask<T> Later<T>(bool fail, Func<ValueTask<T>> call)
    {
        await _gate.Task.ConfigureAwait(false);
        return fail ? throw Fault() : await call().ConfigureAwait(false);
    }

    private async ValueTask RunWithoutResult(string operation, Func<ValueTask<bool>> call) => await Run<bool>(operation, call).ConfigureAwait(false);
}
