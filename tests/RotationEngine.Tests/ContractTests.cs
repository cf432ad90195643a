using System.Text.Json;
using Microsoft.Extensions.Logging;
using RotationEngine.Events;
using RotationEngine.Keys;
using RotationEngine.Storage;
using RotationEngine.Testing;

namespace RotationEngine.Tests;

/// <summary>Promises of the public surface that no store can break: what serializes, what is validated, what a
/// careless store implementation cannot turn into a crash.</summary>
public sealed class ContractTests
{
    [Fact]
    public async Task No_public_result_type_serializes_a_token()
    {
        var engine = new RefreshTokenEngine(new InMemoryFamilyStore(), new RotationEngineOptions(), TestKeys.Ring);
        var issued = await engine.IssueAsync("alice", "web", "jkt", "scope=a");
        var rotated = await engine.RotateAsync(issued.Token, "web", "jkt");
        var replayed = await engine.RotateAsync(issued.Token, "web", "jkt");
        var info = await engine.GetFamilyAsync(issued.FamilyId);
        var listed = await engine.ListFamiliesAsync("alice");
        var events = new RecordingObserver();

        var texts = new List<string>
        {
            JsonSerializer.Serialize(issued), JsonSerializer.Serialize(rotated), JsonSerializer.Serialize(replayed),
            JsonSerializer.Serialize(info), JsonSerializer.Serialize(listed), JsonSerializer.Serialize<object>(rotated),
            issued.ToString(), rotated.ToString(), replayed.ToString(), info!.ToString(),
            JsonSerializer.Serialize(new RotationEvent { Kind = RotationEventKind.GraceReplay, Timestamp = DateTimeOffset.UnixEpoch, FamilyId = issued.FamilyId }),
        };

        foreach (var token in new[] { issued.Token, rotated.Token! })
        {
            Assert.All(texts, text => Assert.DoesNotContain(token[4..40], text, StringComparison.Ordinal));
            Assert.All(texts, text => Assert.DoesNotContain(Convert.ToHexString(TokenForgery.SecretBytes(token)), text, StringComparison.OrdinalIgnoreCase));
        }

        Assert.Contains(issued.FamilyId.ToString(), texts[0], StringComparison.Ordinal);
        Assert.Contains("\"Subject\":\"alice\"", texts[1], StringComparison.Ordinal);
        Assert.DoesNotContain("\"Token\"", string.Concat(texts), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_that_throws_synchronously_is_wrapped_as_outcome_unknown()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var healthy = new RefreshTokenEngine(new InMemoryFamilyStore(), new RotationEngineOptions(), TestKeys.Ring);
        var token = (await healthy.IssueAsync("alice", "web")).Token;
        var engine = new RefreshTokenEngine(new ThrowingStore(), new RotationEngineOptions(), TestKeys.Ring, loggerFactory: factory);

        var calls = new Func<Task>[]
        {
            async () => await engine.IssueAsync("alice", "web"),
            async () => await engine.RotateAsync(token, "web"),
            async () => await engine.InspectAsync(token),
            async () => await engine.RevokeAsync(token),
            async () => await engine.RevokeFamilyAsync(FamilyId.New(), RevocationReason.SignOut),
            async () => await engine.RevokeSubjectAsync("alice", RevocationReason.SignOut),
            async () => await engine.ListFamiliesAsync("alice"),
            async () => await engine.GetFamilyAsync(FamilyId.New()),
            async () => await engine.PruneAsync(),
        };

        foreach (var call in calls)
        {
            var fault = await Assert.ThrowsAsync<RotationStoreException>(call);
            Assert.IsType<InvalidOperationException>(fault.InnerException);
            Assert.Contains("outcome is unknown", fault.Message, StringComparison.Ordinal);
        }

        Assert.Equal(calls.Length, logs.Entries.Count(e => e.EventId.Id == 2003));
    }

    [Fact]
    public void Key_ids_are_anchored_and_key_rings_refuse_duplicate_fingerprints()
    {
        Assert.False(ChainKey.IsValidId("k1\n"));
        Assert.False(ChainKey.IsValidId("k1\r\n"));
        Assert.False(ChainKey.IsValidId(""));
        Assert.False(ChainKey.IsValidId(new string('k', 65)));
        Assert.True(ChainKey.IsValidId("2026-11_a.b"));
        Assert.Throws<ArgumentException>(() => new ChainKey("k1\n", new byte[32]));

        var material = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var error = Assert.Throws<ArgumentException>(() => new KeyRing([new ChainKey("a", material), new ChainKey("b", material)]));
        Assert.Contains("same fingerprint", error.Message, StringComparison.Ordinal);
        var ring = new KeyRing([TestKeys.Primary, TestKeys.Secondary]);
        Assert.Same(TestKeys.Primary, ring.FindKey(TestKeys.Primary.Fingerprint));
        Assert.Same(TestKeys.Secondary, ring.FindKey("k2"));
        Assert.Null(ring.FindKey(TestKeys.Primary.Fingerprint ^ 1));
        Assert.DoesNotContain(Convert.ToHexString(new byte[32]), TestKeys.Primary.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Telemetry_names_are_public_constants()
    {
        Assert.Equal("RotationEngine", RotationEngineTelemetry.MeterName);
        Assert.Equal("RotationEngine", RotationEngineTelemetry.ActivitySourceName);
    }

    [Fact]
    public void Ill_formed_utf16_is_detected()
    {
        // Built in code: attribute arguments are stored as UTF-8, which would turn a lone surrogate into U+FFFD.
        foreach (var value in new[] { "user" + '\uDFFF', "\uD800", "a" + '\uDC00' + '\uD800' + "b", "x" + '\uD83D', new string('\uD800', 2) })
        {
            Assert.False(Internal.InputRules.IsWellFormedUtf16(value), $"'{Convert.ToHexString(System.Text.Encoding.Unicode.GetBytes(value))}' passed");
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("key \U0001F511 and \u00e9")]
    [InlineData("\uD83D\uDD11")]
    public void Well_formed_utf16_passes(string value) => Assert.True(Internal.InputRules.IsWellFormedUtf16(value));

    /// <summary>A custom store whose every method throws before returning a task.</summary>
    private sealed class ThrowingStore : IFamilyStore
    {
        public ValueTask CreateAsync(FamilyRecord family, CancellationToken cancellationToken = default) => throw Boom();

        public ValueTask<FamilyRecord?> TryRotateAsync(RotationCommand command, CancellationToken cancellationToken = default) => throw Boom();

        public ValueTask<FamilyRecord?> FindAsync(FamilyId id, CancellationToken cancellationToken = default) => throw Boom();

        public ValueTask<bool> TryRecordReplayAsync(FamilyId id, int generation, string expectedLedger, string newLedger, CancellationToken cancellationToken = default) => throw Boom();

        public ValueTask<bool> TryRevokeAsync(FamilyId id, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default) => throw Boom();

        public ValueTask<int> RevokeSubjectAsync(string subject, RevocationReason reason, DateTimeOffset now, CancellationToken cancellationToken = default) => throw Boom();

        public ValueTask<IReadOnlyList<FamilyRecord>> ListActiveAsync(string subject, DateTimeOffset now, CancellationToken cancellationToken = default) => throw Boom();

        public ValueTask<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default) => throw Boom();

        private static InvalidOperationException Boom() => new("a careless store");
    }
}
