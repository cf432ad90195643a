using RotationEngine.Storage;

namespace RotationEngine.Testing.Harness;

/// <summary>Wraps the store under test to inject the faults of <see cref="Model.StoreFault"/> into one operation:
/// a store that is down, or a rotation written whose response is lost.</summary>
internal sealed class FaultInjectingStore(IFamilyStore inner) : IFamilyStore
{
    private Model.StoreFault _armed;

    public IFamilyStore Inner { get; } = inner;

    public void Arm(Model.StoreFault fault) => _armed = fault;

    public ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default)
    {
        ThrowIfUnavailable();
        return Inner.CreateAsync(family, cancellationToken);
    }

    public async ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default)
    {
        ThrowIfUnavailable();
        var result = await Inner.TryRotateAsync(command, cancellationToken).ConfigureAwait(false);
        if (result is not null && _armed == Model.StoreFault.ResponseLost)
        {
            _armed = Model.StoreFault.None;
            throw new IOException("Injected fault: the connection dropped after the rotation was written.");
        }

        return result;
    }

    public ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default)
    {
        ThrowIfUnavailable();
        return Inner.FindAsync(id, cancellationToken);
    }

    public ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default)
    {
        ThrowIfUnavailable();
        return Inner.TryRecordReplayAsync(id, generation, expectedLedger, newLedger, cancellationToken);
    }

    public ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ThrowIfUnavailable();
        return Inner.TryRevokeAsync(id, reason, now, cancellationToken);
    }

    public ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ThrowIfUnavailable();
        return Inner.RevokeSubjectAsync(subject, reason, now, cancellationToken);
    }

    public ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ThrowIfUnavailable();
        return Inner.ListActiveAsync(subject, now, cancellationToken);
    }

    public ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default)
    {
        ThrowIfUnavailable();
        return Inner.PruneAsync(cutoff, batchSize, cancellationToken);
    }

    private void ThrowIfUnavailable()
    {
        if (_armed == Model.StoreFault.Unavailable)
        {
            _armed = Model.StoreFault.None;
            throw new TimeoutException("Injected fault: the store did not answer.");
        }
    }
}
