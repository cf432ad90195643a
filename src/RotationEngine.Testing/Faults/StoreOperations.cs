namespace RotationEngine.Testing.Faults;

/// <summary>The operations of <see cref="Storage.IFamilyStore"/>, as flags: which calls a
/// <see cref="FaultInjectingFamilyStore"/> fault applies to.</summary>
[Flags]
public enum StoreOperations
{
    /// <summary>No operation.</summary>
    None = 0,

    /// <summary><see cref="Storage.IFamilyStore.CreateAsync"/>.</summary>
    Create = 1,

    /// <summary><see cref="Storage.IFamilyStore.TryRotateAsync"/>.</summary>
    Rotate = 2,

    /// <summary><see cref="Storage.IFamilyStore.FindAsync"/>.</summary>
    Find = 4,

    /// <summary><see cref="Storage.IFamilyStore.TryRecordReplayAsync"/>.</summary>
    RecordReplay = 8,

    /// <summary><see cref="Storage.IFamilyStore.TryRevokeAsync"/>.</summary>
    Revoke = 16,

    /// <summary><see cref="Storage.IFamilyStore.RevokeSubjectAsync"/>.</summary>
    RevokeSubject = 32,

    /// <summary><see cref="Storage.IFamilyStore.ListActiveAsync"/>.</summary>
    ListActive = 64,

    /// <summary><see cref="Storage.IFamilyStore.PruneAsync"/>.</summary>
    Prune = 128,

    /// <summary>The writes: create, rotate, record a replay, revoke (one family or a subject's), prune.</summary>
    Writes = Create | Rotate | RecordReplay | Revoke | RevokeSubject | Prune,

    /// <summary>Every operation.</summary>
    All = Writes | Find | ListActive,
}
