using RotationEngine.Sqlite;
using RotationEngine.Storage;
using RotationEngine.Testing;

namespace RotationEngine.Testing.Tests.Sqlite;

/// <summary>Every invariant on the SQLite store, one new database file per generated case; invariant 7 also
/// scans the file's bytes (database, WAL and shared-memory files).</summary>
public sealed class SqliteStoreInvariants : InvariantProperties
{
    protected override ValueTask<IFamilyStore> CreateStoreAsync() => ValueTask.FromResult<IFamilyStore>(new TemporarySqliteStore());

    protected override ValueTask<byte[]> ReadPersistedBytesAsync(IFamilyStore store) =>
        ValueTask.FromResult(((TemporarySqliteStore)store).ReadFileBytes());

    protected override int Cases => 40;

    protected override int LinearizabilityIterations => 100;
}

/// <summary>A SQLite store on a new file in a temporary directory, deleted on dispose.</summary>
internal sealed class TemporarySqliteStore : IFamilyStore, IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rotation-properties-").FullName;
    private readonly SqliteFamilyStore _store;

    public TemporarySqliteStore()
    {
        Path = System.IO.Path.Combine(_directory, "families.db");
        _store = new SqliteFamilyStore(new SqliteFamilyStoreOptions { DatabasePath = Path });
    }

    public string Path { get; }

    /// <summary>Every byte SQLite has written: the database, its WAL and its shared-memory index.</summary>
    public byte[] ReadFileBytes()
    {
        using var all = new MemoryStream();
        foreach (var file in Directory.GetFiles(_directory))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.CopyTo(all);
        }

        return all.ToArray();
    }

    public ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default) => _store.CreateAsync(family, cancellationToken);

    public ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default) => _store.TryRotateAsync(command, cancellationToken);

    public ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default) => _store.FindAsync(id, cancellationToken);

    public ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default) =>
        _store.TryRecordReplayAsync(id, generation, expectedLedger, newLedger, cancellationToken);

    public ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        _store.TryRevokeAsync(id, reason, now, cancellationToken);

    public ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        _store.RevokeSubjectAsync(subject, reason, now, cancellationToken);

    public ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        _store.ListActiveAsync(subject, now, cancellationToken);

    public ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default) =>
        _store.PruneAsync(cutoff, batchSize, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still mapped by a pooled connection: the temporary directory is cleaned by the OS.
        }
    }
}
