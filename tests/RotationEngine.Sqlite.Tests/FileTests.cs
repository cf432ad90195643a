using RotationEngine.Storage;

namespace RotationEngine.Sqlite.Tests;

/// <summary>The files on disk: who may read them, and how large the WAL may grow.</summary>
public sealed class FileTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task A_new_database_and_its_wal_and_shm_files_are_readable_by_the_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var database = new TestDatabase();
        using var store = database.OpenStore();
        await store.CreateAsync(Fixtures.Family(Fixtures.Start));

        var files = Directory.GetFiles(database.Directory).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["families.db", "families.db-shm", "families.db-wal"], files);
        foreach (var file in files)
        {
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(database.Directory, file!)));
        }
    }

    [Fact]
    public async Task An_existing_database_file_keeps_the_mode_its_owner_gave_it()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var database = new TestDatabase();
        using (database.OpenStore())
        {
        }

        var chosen = OwnerOnly | UnixFileMode.GroupRead;
        File.SetUnixFileMode(database.Path, chosen);
        using var store = database.OpenStore();
        await store.CreateAsync(Fixtures.Family(Fixtures.Start));
        Assert.Equal(chosen, File.GetUnixFileMode(database.Path));
        Assert.Equal(chosen, File.GetUnixFileMode(database.Path + "-wal"));
    }
}
