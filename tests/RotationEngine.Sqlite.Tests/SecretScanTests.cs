using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RotationEngine.Storage;
using RotationEngine.Testing;
using RotationEngine.Tokens;

namespace RotationEngine.Sqlite.Tests;

/// <summary>docs/semantics.md §7.7: the database file, its WAL and shared-memory files, and the logs hold no token, no
/// secret and no tag (the other half of the MAC whose second half is the stored digest).</summary>
public sealed class SecretScanTests
{
    [Fact]
    public async Task No_token_secret_or_tag_reaches_the_database_files_or_the_logs()
    {
        using var database = new TestDatabase();
        var collector = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(collector)));
        var time = Fixtures.Clock();
        var tokens = new List<string>();
        var store = database.OpenStore(loggerFactory);
        try
        {
            var engine = Fixtures.Engine(store, time, RotationPolicy.Default with { GraceDepth = 2 }, loggerFactory: loggerFactory);
            for (var i = 0; i < 20; i++)
            {
                var binding = i % 4 == 2 ? "device-1" : i % 3 == 0 ? "device-2" : null;
                var issued = await engine.IssueAsync($"user-{i % 4}", Fixtures.Client, binding, metadata: "openid offline_access");
                tokens.Add(issued.Token);
                var token = issued.Token;
                var history = new List<string> { token };
                for (var r = 0; r < 4; r++)
                {
                    time.Advance(TimeSpan.FromSeconds(1));
                    var result = await engine.RotateAsync(token, Fixtures.Client, binding);
                    Assert.Equal(RotationOutcome.Rotated, result.Outcome);
                    token = result.Token!;
                    tokens.Add(token);
                    history.Add(token);
                }

                var replay = await engine.RotateAsync(history[^2], Fixtures.Client, binding);
                Assert.Equal(RotationOutcome.GraceReplay, replay.Outcome);
                switch (i % 4)
                {
                    case 0:
                        Assert.Equal(RotationOutcome.ReuseDetected, (await engine.RotateAsync(history[0], Fixtures.Client, binding)).Outcome);
                        break;
                    case 1:
                        Assert.True(await engine.RevokeAsync(token, Fixtures.Client));
                        break;
                    case 2:
                        Assert.Equal(RotationOutcome.BindingMismatch, (await engine.RotateAsync(token, Fixtures.Client, "wrong-binding")).Outcome);
                        break;
                    default:
                        break;
                }
            }

            await engine.RevokeSubjectAsync("user-3", RevocationReason.SignOut);
            Assert.Empty(await engine.ListFamiliesAsync("user-3"));

            // The families the scan must find (revoking user-3 erased their digests: pick the still active ones).
            var kept = new List<FamilyRecord>();
            for (var i = 0; i < 4; i++)
            {
                var issued = await engine.IssueAsync($"kept-{i}", Fixtures.Client);
                tokens.Add(issued.Token);
                kept.Add((await store.FindAsync(issued.FamilyId))!);
            }

            var files = ReadDatabaseFiles(database);
            Assert.True(files.Count >= 3, "the WAL and shared-memory files exist while the store is open");
            AssertNoSecrets(files, tokens, collector);
            AssertScannerSeesContent(files, kept);
            await store.DisposeAsync();

            // After the last connection closed, the WAL was checkpointed into the main file.
            var closed = ReadDatabaseFiles(database);
            AssertNoSecrets(closed, tokens, collector);
            AssertScannerSeesContent(closed, kept);
        }
        finally
        {
            await store.DisposeAsync();
        }
    }

    private static List<byte[]> ReadDatabaseFiles(TestDatabase database) =>
        Directory.GetFiles(database.Directory).Select(path =>
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }).ToList();

    private static void AssertNoSecrets(List<byte[]> files, List<string> tokens, FakeLogCollector collector)
    {
        var logs = string.Join('\n', collector.GetSnapshot().Select(r => r.Message + " " + r.Exception));
        Assert.NotEmpty(logs);
        foreach (var token in tokens)
        {
            Assert.True(TokenFormat.TryDecode(token, out var parts));
            var body = token[TokenFormat.Prefix.Length..];
            var needles = new List<(string What, byte[] Bytes)>
            {
                ("the token", Encoding.ASCII.GetBytes(token)),
                ("the token body", Encoding.ASCII.GetBytes(body)),
                ("the UTF-16 token body", Encoding.Unicode.GetBytes(body)),
                ("the raw secret", TokenForgery.SecretBytes(token)),
                ("the raw tag", parts.Tag),
            };
            foreach (var encoding in TokenForgery.SecretEncodings(token))
            {
                needles.Add(("an encoded secret", Encoding.ASCII.GetBytes(encoding)));
                needles.Add(("a UTF-16 encoded secret", Encoding.Unicode.GetBytes(encoding)));
                Assert.DoesNotContain(encoding, logs, StringComparison.Ordinal);
            }

            foreach (var file in files)
            {
                foreach (var (what, bytes) in needles)
                {
                    Assert.False(Contains(file, bytes), $"{what} is in a database file");
                }
            }

            Assert.DoesNotContain(body, logs, StringComparison.Ordinal);
            Assert.DoesNotContain(body[..20], logs, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToHexString(parts.Tag), logs, StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>The positive control: what the store must keep (the id as stored, the current digest, the seal) is
    /// found by the same scan, so the scan would have found a secret.</summary>
    private static void AssertScannerSeesContent(List<byte[]> files, List<FamilyRecord> families)
    {
        Assert.NotEmpty(families);
        foreach (var family in families)
        {
            Assert.Contains(files, file => Contains(file, family.Id.Value.ToByteArray()));
            Assert.Contains(files, file => Contains(file, family.Digest));
            Assert.Contains(files, file => Contains(file, family.Seal));
        }
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
