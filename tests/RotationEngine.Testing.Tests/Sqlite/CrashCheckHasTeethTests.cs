using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using RotationEngine.Sqlite;
using RotationEngine.Testing;
using Xunit.Sdk;

namespace RotationEngine.Testing.Tests.Sqlite;

/// <summary>The crash-safety check (invariant 10) fails on the states a crash must never leave: a lost write (the
/// client holds a generation the file does not) and a fork (the file moved on twice past the client's token).</summary>
public sealed class CrashCheckHasTeethTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rotation-crash-teeth-").FullName;

    [Fact]
    public async Task A_lost_write_fails_the_check()
    {
        var (database, options, id, tokenFile) = await IssueAsync();
        var before = Path.Combine(_directory, "before.db");
        SqliteConnection.ClearAllPools();
        File.Copy(database, before);
        await RotateAsync(database, options, tokenFile, times: 1);
        SqliteConnection.ClearAllPools();
        File.Copy(before, database, overwrite: true); // the rotation the client saw is gone from the file

        var failure = await Assert.ThrowsAsync<TrueException>(() => CheckAsync(database, options, id, tokenFile));
        Assert.Contains(Invariant.CrashSafe.Describe(), failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fork_fails_the_check()
    {
        var (database, options, id, tokenFile) = await IssueAsync();
        var token = await File.ReadAllTextAsync(tokenFile);
        await RotateAsync(database, options, tokenFile, times: 2);
        await File.WriteAllTextAsync(tokenFile, token); // the client still holds generation 0; the file is at 2

        var failure = await Assert.ThrowsAsync<TrueException>(() => CheckAsync(database, options, id, tokenFile));
        Assert.Contains("neither the before nor the after state", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_before_and_the_after_state_pass_the_check()
    {
        var (database, options, id, tokenFile) = await IssueAsync();
        Assert.Equal(["settled"], await CheckAsync(database, options, id, tokenFile));

        var token = await File.ReadAllTextAsync(tokenFile);
        await RotateAsync(database, options, tokenFile, times: 1);
        await File.WriteAllTextAsync(tokenFile, token); // committed, not yet saved
        Assert.Equal(["committed, not saved"], await CheckAsync(database, options, id, tokenFile));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<(string Database, RotationEngineOptions Options, FamilyId Id, string TokenFile)> IssueAsync()
    {
        var database = Path.Combine(_directory, "families.db");
        var options = CrashSafetyTests.Options(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        var tokenFile = Path.Combine(_directory, "token");
        using var store = new SqliteFamilyStore(new SqliteFamilyStoreOptions { DatabasePath = database });
        var issued = await new RefreshTokenEngine(store, options).IssueAsync("crash-0", "web");
        await File.WriteAllTextAsync(tokenFile, issued.Token);
        return (database, options, issued.FamilyId, tokenFile);
    }

    private static async Task RotateAsync(string database, RotationEngineOptions options, string tokenFile, int times)
    {
        using var store = new SqliteFamilyStore(new SqliteFamilyStoreOptions { DatabasePath = database });
        var engine = new RefreshTokenEngine(store, options);
        for (var i = 0; i < times; i++)
        {
            var rotated = await engine.RotateAsync(await File.ReadAllTextAsync(tokenFile), "web");
            Assert.Equal(RotationOutcome.Rotated, rotated.Outcome);
            await File.WriteAllTextAsync(tokenFile, rotated.Token);
        }
    }

    private static async Task<List<string>> CheckAsync(string database, RotationEngineOptions options, FamilyId id, string tokenFile)
    {
        var saved = CrashSafetyTests.GenerationOf(await File.ReadAllTextAsync(tokenFile));
        return await CrashSafetyTests.CheckAsync(database, options, [id], [tokenFile], [saved], [saved], "teeth");
    }
}
