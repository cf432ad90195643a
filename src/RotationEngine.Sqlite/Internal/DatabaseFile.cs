using Microsoft.Data.Sqlite;

namespace RotationEngine.Sqlite.Internal;

/// <summary>Creates a missing database file with mode 0600 before SQLite opens it, so that the family records are
/// readable by the owner only. SQLite then creates the <c>-wal</c>, <c>-shm</c> and <c>-journal</c> files with the
/// database file's permissions (it copies them, whatever the umask).</summary>
internal static class DatabaseFile
{
    /// <summary>The mode of a database file the store creates: owner read and write only.</summary>
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the file <paramref name="builder"/> names if it is missing and SQLite would create it: a plain
    /// path (not a URI) opened read-write-create, on Unix. An existing file is left as it is.</summary>
    /// <exception cref="IOException">The file could not be created (the caller maps it to a store fault).</exception>
    /// <exception cref="UnauthorizedAccessException">The directory is not writable.</exception>
    public static void CreateIfMissing(SqliteConnectionStringBuilder builder)
    {
        if (OperatingSystem.IsWindows() || builder.Mode != SqliteOpenMode.ReadWriteCreate
            || SqliteFamilyStoreOptions.FilePath(builder) is not { } path || File.Exists(path))
        {
            return;
        }

        try
        {
            new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.ReadWrite | FileShare.Delete,
                UnixCreateMode = Mode,
            }).Dispose();
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another store (or process) created it first; SQLite opens it as it is.
        }
    }
}
