// Over 300 lines: one concern's conformance cases (forgery, secrets, hostile input), one short test each; the suite
// is split by concern across FamilyStoreConformanceTests.*.cs.
using System.Text;
using Microsoft.Extensions.Logging;
using RotationEngine.Events;
using RotationEngine.Tokens;

namespace RotationEngine.Testing;

public abstract partial class FamilyStoreConformanceTests
{
    private static readonly Dictionary<string, string?> Malformed = new()
    {
        ["null"] = null,
        ["empty"] = "",
        ["space"] = " ",
        ["prefix only"] = TokenFormat.Prefix,
        ["bearer"] = "Bearer x",
        ["sql"] = "' OR 1=1; DROP TABLE families; --",
        ["lua"] = "]]..redis.call('FLUSHALL')..[[",
        ["one megabyte"] = new string('A', 1024 * 1024),
        ["one megabyte with the prefix"] = TokenFormat.Prefix + new string('A', 1024 * 1024),
        ["non-ascii"] = TokenFormat.Prefix + new string('\u00e9', TokenForgery.TokenLength - 4),
        ["emoji"] = TokenFormat.Prefix + string.Concat(Enumerable.Repeat("\U0001F511", (TokenForgery.TokenLength - 4) / 2)),
        ["lone surrogates"] = TokenFormat.Prefix + new string('\uD800', TokenForgery.TokenLength - 4),
        ["padding"] = TokenFormat.Prefix + new string('=', TokenForgery.TokenLength - 4),
        ["plus"] = TokenFormat.Prefix + new string('+', TokenForgery.TokenLength - 4),
        ["nul"] = TokenFormat.Prefix + new string('\0', TokenForgery.TokenLength - 4),
        ["version 1 token"] = "rt1_Qm7dUuO9r4y6jWl9v0hR3QAAAAFbq2aYvX0yk9lW1ih7mJ8s4qE0pW1uV2bC3dE4fG5hI6jK7l",
        ["negative generation"] = TokenFormat.Encode(new TokenParts(TestKeys.Primary.Fingerprint, FamilyId.New(), -1, 0, new byte[TokenFormat.SecretSize], new byte[TokenFormat.TagSize])),
    };

    /// <summary>Names of strings that are not tokens (the strings themselves are too big for test names).</summary>
    public static TheoryData<string> MalformedInputs() => new(Malformed.Keys);

    /// <summary>Garbage, huge, non-ASCII, SQL and Lua strings are Invalid, touch no store and change nothing.</summary>
    [Theory]
    [MemberData(nameof(MalformedInputs))]
    public async Task Malformed_input_is_invalid_before_any_store_access(string name)
    {
        var input = Malformed[name];
        var counting = new CountingFamilyStore(Store);
        var engine = CreateEngine(store: counting);

        var rotated = await engine.RotateAsync(input, Client);
        var inspected = await engine.InspectAsync(input);
        var revoked = await engine.RevokeAsync(input);

        Assert.Equal(RotationOutcome.Invalid, rotated.Outcome);
        Assert.Equal(OutcomeCause.Malformed, rotated.Cause);
        Assert.Equal(RotationOutcome.Invalid, inspected.Outcome);
        Assert.False(revoked);
        Assert.Null(rotated.Token);
        Assert.Equal(0, counting.Total);
    }

    /// <summary>A well-formed string the server did not mint costs no store call, whatever family and generation it
    /// names, and however far the real family has rotated (invariant 12).</summary>
    [Fact]
    public async Task Unminted_tokens_cost_no_store_call()
    {
        var engine = CreateEngine(Policy with { MaxGenerations = 1_000 });
        var issued = await IssueAsync(engine);
        var token = issued.Token;
        for (var i = 0; i < 200; i++)
        {
            token = (await ExpectAsync(engine, token, RotationOutcome.Rotated)).Token!;
        }

        var state = await StateOf(issued.FamilyId);
        var counting = new CountingFamilyStore(Store);
        var observed = CreateEngine(store: counting);
        var forgeries = new List<(string Token, OutcomeCause Cause)>
        {
            (TokenForgery.Random(issued.FamilyId, 0), OutcomeCause.NotAuthentic),
            (TokenForgery.Random(issued.FamilyId, 199), OutcomeCause.NotAuthentic),
            (TokenForgery.Random(issued.FamilyId, 200), OutcomeCause.NotAuthentic),
            (TokenForgery.Random(issued.FamilyId, int.MaxValue), OutcomeCause.NotAuthentic),
            (TokenForgery.Random(issued.FamilyId, 0, fingerprint: TestKeys.Secondary.Fingerprint), OutcomeCause.UnknownKey),
            (TokenForgery.WithGeneration(issued.Token, 200), OutcomeCause.NotAuthentic),
            (TokenForgery.WithGeneration(token, 0), OutcomeCause.NotAuthentic),
            (TokenForgery.WithIssuedAt(token, 0), OutcomeCause.NotAuthentic),
            (TokenForgery.WithFlippedTagBit(token, 5), OutcomeCause.NotAuthentic),
            (TokenForgery.WithFlippedSecretBit(token, 100), OutcomeCause.NotAuthentic),
            (TokenForgery.WithFingerprint(token, TestKeys.Primary.Fingerprint ^ 1), OutcomeCause.UnknownKey),
        };

        foreach (var (forged, cause) in forgeries)
        {
            var rotated = await observed.RotateAsync(forged, Client);
            Assert.True(rotated.Outcome == RotationOutcome.Invalid && rotated.Cause == cause, $"A forgery got {rotated}, not Invalid ({cause}).");
            Assert.Equal(RotationOutcome.Invalid, (await observed.InspectAsync(forged, Client)).Outcome);
            Assert.False(await observed.RevokeAsync(forged, Client));
        }

        Assert.Equal(0, counting.Total);
        Assert.Equal(state, await StateOf(issued.FamilyId));
        await ExpectAsync(engine, token, RotationOutcome.Rotated);
    }

    /// <summary>Every truncation, extension and single-character change of a real token is Invalid with no store access.</summary>
    [Fact]
    public async Task Tampered_tokens_are_invalid_before_any_store_access()
    {
        var issuer = CreateEngine();
        var issued = await IssueAsync(issuer);
        var before = await StateOf(issued.FamilyId);
        var counting = new CountingFamilyStore(Store);
        var engine = CreateEngine(store: counting);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

        var variants = new List<string>();
        for (var length = 0; length < issued.Token.Length; length++)
        {
            variants.Add(issued.Token[..length]);
        }

        variants.Add(issued.Token + "A");
        variants.Add(issued.Token + " ");
        variants.Add(" " + issued.Token);
        variants.Add(issued.Token.ToUpperInvariant());
        variants.Add("RT2_" + issued.Token[4..]);
        variants.Add("rt1_" + issued.Token[4..]);
        variants.Add("rt3_" + issued.Token[4..]);
        for (var i = 0; i < issued.Token.Length; i++)
        {
            var chars = issued.Token.ToCharArray();
            chars[i] = alphabet[(alphabet.IndexOf(chars[i], StringComparison.Ordinal) + 1 + (i % 7)) % alphabet.Length];
            if (i < 4)
            {
                chars[i] = 'x';
            }

            variants.Add(new string(chars));
            for (var bit = 0; bit < 8; bit++)
            {
                var flipped = issued.Token.ToCharArray();
                flipped[i] = (char)(flipped[i] ^ (1 << bit));
                variants.Add(new string(flipped));
            }
        }

        foreach (var variant in variants.Where(v => v != issued.Token))
        {
            var result = await engine.RotateAsync(variant, Client);
            Assert.True(result.Outcome == RotationOutcome.Invalid, $"A tampered token was accepted as {result.Outcome}.");
        }

        Assert.Equal(0, counting.Total);
        Assert.Equal(before, await StateOf(issued.FamilyId));
        await ExpectAsync(engine, issued.Token, RotationOutcome.Rotated);
    }

    /// <summary>Well-formed forgeries (random secrets and tags, other generations, another family's id, flipped bits)
    /// are Invalid, cost no store call and change no state: no revocation, no replay count (invariants 6 and 12).</summary>
    [Fact]
    public async Task Forged_well_formed_tokens_are_invalid_and_change_nothing()
    {
        var engine = CreateEngine();
        var victim = await IssueAsync(engine);
        var retired1 = victim.Token;
        var retired2 = (await ExpectAsync(engine, retired1, RotationOutcome.Rotated)).Token!;
        var current = (await ExpectAsync(engine, retired2, RotationOutcome.Rotated)).Token!;
        var other = await engine.IssueAsync("mallory", Client);
        var victimBefore = await StateOf(victim.FamilyId);
        var otherBefore = await StateOf(other.FamilyId);
        Time.Advance(TimeSpan.FromMinutes(1));

        var forgeries = new List<string>
        {
            TokenForgery.Random(victim.FamilyId, 0),
            TokenForgery.Random(victim.FamilyId, 1),
            TokenForgery.Random(victim.FamilyId, 2),
            TokenForgery.Random(victim.FamilyId, 3),
            TokenForgery.Random(victim.FamilyId, int.MaxValue),
            TokenForgery.WithGeneration(current, 3),
            TokenForgery.WithGeneration(current, 1),
            TokenForgery.WithGeneration(current, 0),
            TokenForgery.WithGeneration(retired1, 2),
            TokenForgery.WithFamily(other.Token, victim.FamilyId),
            TokenForgery.WithFamily(current, other.FamilyId),
            TokenForgery.WithFamily(retired1, other.FamilyId),
        };
        for (var bit = 0; bit < 256; bit += 37)
        {
            forgeries.Add(TokenForgery.WithFlippedSecretBit(current, bit));
            forgeries.Add(TokenForgery.WithFlippedSecretBit(retired1, bit));
            forgeries.Add(TokenForgery.WithFlippedTagBit(current, bit));
        }

        var counting = new CountingFamilyStore(Store);
        var observed = CreateEngine(store: counting);
        foreach (var forged in forgeries)
        {
            var result = await observed.RotateAsync(forged, Client);
            Assert.True(result.Outcome == RotationOutcome.Invalid, $"A forged token got {result.Outcome}.");
            Assert.Null(result.FamilyId);
            Assert.Null(result.Subject);
            Assert.False(await observed.RevokeAsync(forged));
        }

        Assert.Equal(0, counting.Total);
        Assert.Equal(victimBefore, await StateOf(victim.FamilyId));
        Assert.Equal(otherBefore, await StateOf(other.FamilyId));
        Assert.DoesNotContain(Events.Events, e => e.Kind is RotationEventKind.ReuseDetected or RotationEventKind.FamilyRevoked);
        await ExpectAsync(engine, current, RotationOutcome.Rotated);
    }

    /// <summary>Signs of attack are Warning log entries, at most 20 a minute per kind; what is held back is reported
    /// once the minute has passed. Every event still reaches the observers.</summary>
    [Fact]
    public async Task Attack_signs_are_warnings_and_rate_limited()
    {
        var engine = CreateEngine();
        var issued = await IssueAsync(engine);
        for (var i = 0; i < 100; i++)
        {
            await engine.RotateAsync(TokenForgery.Random(issued.FamilyId, i), Client);
        }

        Assert.Equal(100, Events.Events.Count(e => e.Cause == OutcomeCause.NotAuthentic));
        var warnings = Logs.Entries.Where(e => e.EventId.Id == 1008).ToList();
        Assert.Equal(20, warnings.Count);
        Assert.All(warnings, w => Assert.Equal(LogLevel.Warning, w.Level));

        Time.Advance(TimeSpan.FromMinutes(1));
        await engine.RotateAsync(TokenForgery.Random(issued.FamilyId, 0), Client);
        var summary = Assert.Single(Logs.Entries, e => e.EventId.Id == 2005);
        Assert.Contains("80", summary.Message, StringComparison.Ordinal);
        Assert.Equal(21, Logs.Entries.Count(e => e.EventId.Id == 1008));
    }

    /// <summary>A client id or binding that issue would refuse is an argument error at rotation too, before any store
    /// access (the host passes them; a binding of 10 MB or with a lone surrogate is a host bug).</summary>
    [Fact]
    public async Task Bad_client_or_binding_at_rotation_is_an_argument_error()
    {
        var counting = new CountingFamilyStore(Store);
        var engine = CreateEngine(store: counting);
        var token = TokenForgery.Random(FamilyId.New(), 0);
        var bad = new[] { "", new string('b', RefreshTokenEngine.MaxBindingLength + 1), "device-\uD800", "a\0b", new string('x', 10_000_000) };

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await engine.RotateAsync(token, null!));
        foreach (var value in bad)
        {
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await engine.RotateAsync(token, value));
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await engine.RotateAsync(token, Client, value));
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await engine.InspectAsync(token, value));
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await engine.RevokeAsync(token, value));
        }

        Assert.Equal(0, counting.Total);
    }

    /// <summary>No token or secret in the store, the logs, the events or the results' text (invariant 7).</summary>
    [Fact]
    public async Task Tokens_and_secrets_never_reach_store_logs_or_events()
    {
        var engine = CreateEngine(Policy with { GraceMaxReplays = 1 });
        var tokens = new List<string>();
        var families = new List<FamilyId>();
        for (var i = 0; i < 3; i++)
        {
            var binding = i == 2 ? "jkt" : null;
            var issued = await engine.IssueAsync($"user{i}", Client, binding: binding);
            families.Add(issued.FamilyId);
            tokens.Add(issued.Token);
            var rotated = await engine.RotateAsync(issued.Token, Client, binding);
            tokens.Add(rotated.Token!);
            await engine.RotateAsync(issued.Token, Client, binding);
            await engine.RotateAsync(issued.Token, Client, binding);
        }

        await engine.RotateAsync(tokens[^1], Client, "wrong");
        await engine.RotateAsync(tokens[^1], "other-client");
        await engine.RotateAsync(TokenForgery.WithFlippedSecretBit(tokens[0], 3), Client);
        await engine.RevokeAsync(tokens[1]);
        await engine.InspectAsync(tokens[3]);

        var haystacks = new List<string> { Logs.AllText };
        haystacks.AddRange(Events.Events.Select(e => e.ToString()));
        var records = new List<Storage.FamilyRecord>();
        foreach (var id in families)
        {
            var family = await Store.FindAsync(id);
            Assert.NotNull(family);
            records.Add(family);
            haystacks.Add(Describe(family));
        }

        foreach (var token in tokens)
        {
            var needles = new[] { token, token[4..], token[4..40], token[^40..] }.Concat(TokenForgery.SecretEncodings(token));
            foreach (var needle in needles)
            {
                Assert.All(haystacks, haystack => Assert.DoesNotContain(needle, haystack, StringComparison.Ordinal));
            }

            var secret = TokenForgery.SecretBytes(token);
            foreach (var record in records)
            {
                foreach (var stored in new[] { record.Digest, record.Seal, Encoding.ASCII.GetBytes(record.Ledger) })
                {
                    Assert.False(stored.AsSpan().IndexOf(secret.AsSpan(0, 8)) >= 0, "A store record holds part of a secret.");
                }
            }
        }

        Assert.NotEmpty(Logs.Entries);
        Assert.Contains(Logs.Entries, e => e.EventId.Id == (int)RotationEventKind.ReuseDetected);
        Assert.DoesNotContain(TokenFormat.Prefix, Logs.AllText, StringComparison.Ordinal);
    }
}
