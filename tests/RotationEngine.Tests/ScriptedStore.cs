using RotationEngine.Storage;

namespace RotationEngine.Tests;

/// <summary>
/// The in-memory store with hooks: each operation can be replaced to play a store that lies, loses a race or lags
/// behind, so that the engine's own checks of what a store answers are exercised (the conformance suite only sees
/// honest stores). Counts every call.
/// </summary>
internal sealed class ScriptedStore : IFamilyStore
{
    public InMemoryFamilyStore Inner { get; } = new();

    /// <summary>The result of an in-memory store call (they complete synchronously), for use inside a hook.</summary>
    public static T Completed<T>(ValueTask<T> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : throw new InvalidOperationException("The in-memory store completed asynchronously.");

    public Func<RotationCommand, FamilyRecord?, FamilyRecord?>? OnRotated { get; set; }

    public Func<FamilyId, FamilyRecord?, FamilyRecord?>? OnFind { get; set; }

    public Func<FamilyId, int, string, string, bool?>? OnRecordReplay { get; set; }

    public Func<FamilyId, RevocationReason, DateTimeOffset, bool?>? OnRevoke { get; set; }

    public Func<string, DateTimeOffset, IReadOnlyList<FamilyRecord>>? OnList { get; set; }

    public int Rotates { get; private set; }

    public int Finds { get; private set; }

    public int Replays { get; private set; }

    public int Revokes { get; private set; }

    public List<(DateTimeOffset Cutoff, int BatchSize, int Deleted)> Prunes { get; } = [];

    public ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default) => Inner.CreateAsync(family, cancellationToken);

    public async ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default)
    {
        Rotates++;
        if (OnRotated is { } hook)
        {
            // The hook decides whether the write lands: it gets the command and the record as it is now.
            return hook(command, await Inner.FindAsync(command.FamilyId, cancellationToken));
        }

        return await Inner.TryRotateAsync(command, cancellationToken);
    }

    public async ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default)
    {
        Finds++;
        var found = await Inner.FindAsync(id, cancellationToken);
        return OnFind is { } hook ? hook(id, found) : found;
    }

    public async ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default)
    {
        Replays++;
        return OnRecordReplay?.Invoke(id, generation, expectedLedger, newLedger)
            ?? await Inner.TryRecordReplayAsync(id, generation, expectedLedger, newLedger, cancellationToken);
    }

    public async ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        Revokes++;
        return OnRevoke?.Invoke(id, reason, now) ?? await Inner.TryRevokeAsync(id, reason, now, cancellationToken);
    }

    public ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Inner.RevokeSubjectAsync(subject, reason, now, cancellationToken);

    public ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        OnList is { } hook ? ValueTask.FromResult(hook(subject, now)) : Inner.ListActiveAsync(subject, now, cancellationToken);

    public async ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default)
    {
        var deleted = await Inner.PruneAsync(cutoff, batchSize, cancellationToken);
        Prunes.Add((cutoff, batchSize, deleted));
        return deleted;
    }
}
