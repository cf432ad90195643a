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

    [Fact]
    public async Task Rotations_alone_keep_the_wal_bounded()
    {
        // docs/sqlite.md, "synchronous = FULL": the rotation statement is stepped to its end, so SQLite's auto-checkpoint
        // (every 1,000 pages) runs and the WAL is reused. Before, a store that only rotated grew the WAL by two pages per
        // rotation without end (24 MB here), and every commit's fsync had to journal the file's new size.
        using var database = new TestDatabase();
        using var store = database.OpenStore();
        var families = new FamilyRecord[50];
        for (var i = 0; i < families.Length; i++)
        {
            families[i] = Fixtures.Family(Fixtures.Start, subject: $"user-{i}");
            await store.CreateAsync(families[i]);
        }

        for (var n = 0; n < 3_000; n++)
        {
            var i = n % families.Length;
            families[i] = await store.TryRotateAsync(Fixtures.Rotation(families[i], Fixtures.Start.AddMilliseconds(n + 1)))
                ?? throw new InvalidOperationException("rotation refused");
        }

        var wal = new FileInfo(database.Path + "-wal").Length;
        var pageSize = (long)database.Scalar("PRAGMA page_size")!;
        Assert.True(wal < 1_100 * (pageSize + 24), $"the WAL is {wal} bytes after 3,000 rotations");
    }
}
