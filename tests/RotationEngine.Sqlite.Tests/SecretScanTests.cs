using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Logging;

namespace RotationEngine.Sqlite.Tests;

/// <summary>SEMANTICS §7.7: the database file (and its WAL) and the logs hold no token and no secret.</summary>
public sealed class SecretScanTests
{
    [Fact]
    public async Task No_token_body_or_secret_reaches_the_database_files_or_the_logs()
    {
        using var database = new TestDatabase();
        var collector = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(collector)));
        var time = Fixtures.Clock();
        var tokens = new List<string>();
        var current = new List<string>();
        var store = database.OpenStore(loggerFactory);
        try
        {
            var engine = Fixtures.Engine(store, time, RotationPolicy.Default with { GraceDepth = 2 }, loggerFactory: loggerFactory);
            for (var i = 0; i < 20; i++)
            {
                var binding = i % 4 == 2 ? "device-1" : i % 3 == 0 ? "device-2" : null;
                var issued = await engine.IssueAsync($"user-{i % 4}", "web", binding, metadata: "openid offline_access");
                tokens.Add(issued.Token);
                var token = issued.Token;
                var history = new List<string> { token };
                for (var r = 0; r < 4; r++)
                {
                    time.Advance(TimeSpan.FromSeconds(1));
                    var result = await engine.RotateAsync(token, binding);
                    Assert.Equal(RotationOutcome.Rotated, result.Outcome);
                    token = result.Token!;
                    tokens.Add(token);
                    history.Add(token);
                }

                var replay = await engine.RotateAsync(history[^2], binding);
                Assert.Equal(RotationOutcome.GraceReplay, replay.Outcome);
                switch (i % 4)
                {
                    case 0:
                        Assert.Equal(RotationOutcome.ReuseDetected, (await engine.RotateAsync(history[0], binding)).Outcome);
                        break;
                    case 1:
                        Assert.True(await engine.RevokeAsync(token));
                        break;
                    case 2:
                        Assert.Equal(RotationOutcome.BindingMismatch, (await engine.RotateAsync(token, "wrong-binding")).Outcome);
                        break;
                    default:
                        current.Add(token);
                        break;
                }
            }

            await engine.RevokeSubjectAsync("user-3", RevocationReason.SignOut);
            Assert.Empty(await engine.ListFamiliesAsync("user-3"));

            var files = ReadDatabaseFiles(database);
            Assert.True(files.Count >= 2, "the WAL file exists while the store is open");
            AssertNoSecrets(files, tokens, collector);
            AssertScannerSeesContent(files, current);
        }
        finally
        {
            await store.DisposeAsync();
        }

        // After the last connection closed, the WAL was checkpointed into the main file.
        var closed = ReadDatabaseFiles(database);
        AssertNoSecrets(closed, tokens, collector);
        AssertScannerSeesContent(closed, current);
    }

    private static List<byte[]> ReadDatabaseFiles(TestDatabase database) =>
        Directory.GetFiles(database.Directory).Select(File.ReadAllBytes).ToList();

    private static void AssertNoSecrets(List<byte[]> files, List<string> tokens, FakeLogCollector collector)
    {
        var logs = string.Join('\n', collector.GetSnapshot().Select(r => r.Message + " " + r.Exception));
        Assert.NotEmpty(logs);
        foreach (var token in tokens)
        {
            var body = token["rt1_".Length..];
            var secret = Secret(token);
            foreach (var file in files)
            {
                Assert.False(Contains(file, Encoding.ASCII.GetBytes(token)), "a token string is in a database file");
                Assert.False(Contains(file, Encoding.ASCII.GetBytes(body)), "a token body is in a database file");
                Assert.False(Contains(file, Encoding.Unicode.GetBytes(body)), "a UTF-16 token body is in a database file");
                Assert.False(Contains(file, secret), "a raw secret is in a database file");
                Assert.False(Contains(file, Encoding.ASCII.GetBytes(Convert.ToHexString(secret))), "a hex secret is in a database file");
            }

            Assert.DoesNotContain(body, logs, StringComparison.Ordinal);
            Assert.DoesNotContain(body[..20], logs, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToHexString(secret), logs, StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>The positive control: what the store must keep (the family id, the digest of the current
    /// secret) is found by the same scan, so the scan would have found a secret.</summary>
    private static void AssertScannerSeesContent(List<byte[]> files, List<string> current)
    {
        Assert.NotEmpty(current);
        foreach (var token in current)
        {
            var payload = Base64Url.DecodeFromChars(token.AsSpan("rt1_".Length));
            Assert.Contains(files, file => Contains(file, payload[..16]));
            Assert.Contains(files, file => Contains(file, SHA256.HashData(Secret(token))));
        }
    }

    private static byte[] Secret(string token) => Base64Url.DecodeFromChars(token.AsSpan("rt1_".Length))[20..52];

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
