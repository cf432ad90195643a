using RotationEngine.Storage;

namespace RotationEngine.OpenIddict.Tests.Infrastructure;

/// <summary>An in-memory store that fails on demand like a database that went away: before the call, or after the
/// write landed (the answer lost on the way back).</summary>
public sealed class FaultyStore : IFamilyStore
{
    private readonly InMemoryFamilyStore _inner = new();

    public Fault Next { get; set; }

    public enum Fault
    {
        None,
        BeforeAnyCall,
        AfterRotationWrite,
        OnCreate,
    }

    public ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default)
    {
        Throw(Fault.OnCreate);
        Throw(Fault.BeforeAnyCall);
        return _inner.CreateAsync(family, cancellationToken);
    }

    public ValueTask<FamilyRecord?> FindAsync(FamilyId familyId, CancellationToken cancellationToken = default)
    {
        Throw(Fault.BeforeAnyCall);
        return _inner.FindAsync(familyId, cancellationToken);
    }

    public async ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default)
    {
        Throw(Fault.BeforeAnyCall);
        var written = await _inner.TryRotateAsync(command, cancellationToken);
        if (written is not null)
        {
            Throw(Fault.AfterRotationWrite);
        }

        return written;
    }

    public ValueTask<bool> TryRecordReplayAsync(FamilyId familyId, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default)
    {
        Throw(Fault.BeforeAnyCall);
        return _inner.TryRecordReplayAsync(familyId, generation, expectedLedger, newLedger, cancellationToken);
    }

    public ValueTask<bool> TryRevokeAsync(FamilyId familyId, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        Throw(Fault.BeforeAnyCall);
        return _inner.TryRevokeAsync(familyId, reason, now, cancellationToken);
    }

    public ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        Throw(Fault.BeforeAnyCall);
        return _inner.RevokeSubjectAsync(subject, reason, now, cancellationToken);
    }

    public ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        Throw(Fault.BeforeAnyCall);
        return _inner.ListActiveAsync(subject, now, cancellationToken);
    }

    public ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default)
    {
        Throw(Fault.BeforeAnyCall);
        return _inner.PruneAsync(cutoff, batchSize, cancellationToken);
    }

    private void Throw(Fault fault)
    {
        if (Next == fault && fault != Fault.None)
        {
            Next = Fault.None;
            throw new IOException("database is locked (simulated)");
        }
    }
}
