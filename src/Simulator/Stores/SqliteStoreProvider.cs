using Microsoft.Data.Sqlite;
using RotationEngine.Sqlite;
using RotationEngine.Storage;

namespace Simulator.Stores;

/// <summary>
/// The embedded default store: one SQLite file per run. Every engine instance opens its own
/// <see cref="SqliteFamilyStore"/> (its own connections) onto the file, and a restart disposes it and opens a
/// new one, so that what survives a restart is what the file holds.
/// </summary>
internal sealed class SqliteStoreProvider : IStoreProvider
{
    private readonly string _path;
    private readonly string? _ownedDirectory;

    private SqliteStoreProvider(string path, string? ownedDirectory)
    {
        _path = path;
        _ownedDirectory = ownedDirectory;
    }

    public string DatabasePath => _path;

    /// <param name="directory">Where to put the file; null for a temporary directory deleted afterwards.</param>
    /// <param name="runName">Names the file, so that parallel runs never share one.</param>
    public static SqliteStoreProvider Create(string? directory, string runName)
    {
        var owned = directory is null;
        directory ??= Path.Combine(Path.GetTempPath(), "rotation-simulator", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        var safeName = string.Concat(runName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
        var path = Path.Combine(directory, safeName + ".db");
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }

        return new SqliteStoreProvider(path, owned ? directory : null);
    }

    public bool CompletesSynchronously => false;

    public IFamilyStore Open() => new SqliteFamilyStore(new SqliteFamilyStoreOptions { DatabasePath = _path, PoolSize = 4 });

    public void Close(IFamilyStore handle) => (handle as IDisposable)?.Dispose();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (_ownedDirectory is not null && Directory.Exists(_ownedDirectory))
        {
            Directory.Delete(_ownedDirectory, recursive: true);
        }
    }
}
