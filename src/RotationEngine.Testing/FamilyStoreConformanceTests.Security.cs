using System.Text;
using RotationEngine.Events;

namespace RotationEngine.Testing;

public abstract partial class FamilyStoreConformanceTests
{
    private static readonly Dictionary<string, string?> Malformed = new()
    {
        ["null"] = null,
        ["empty"] = "",
        ["space"] = " ",
        ["prefix only"] = "rt1_",
        ["bearer"] = "Bearer x",
        ["sql"] = "' OR 1=1; DROP TABLE families; --",
        ["one megabyte"] = new string('A', 1024 * 1024),
        ["non-ascii"] = "rt1_" + new string('\u00e9', TokenForgery.TokenLength - 4),
        ["emoji"] = "rt1_" + string.Concat(Enumerable.Repeat("\U0001F511", (TokenForgery.TokenLength - 4) / 2)) + "A",
        ["padding"] = "rt1_" + new string('=', TokenForgery.TokenLength - 4),
        ["plus"] = "rt1_" + new string('+', TokenForgery.TokenLength - 4),
        ["nul"] = "rt1_" + new string('\0', TokenForgery.TokenLength - 4),
        ["right length, wrong checksum"] = "rt1_" + new string('A', TokenForgery.TokenLength - 4),
    };

    /// <summary>Names of strings that are not tokens (the strings themselves are too big for test names).</summary>
    public static TheoryData<string> MalformedInputs() => new(Malformed.Keys);

    /// <summary>Garbage, huge, non-ASCII and SQL strings are Invalid, touch no store and change nothing.</summary>
    [Theory]
    [MemberData(nameof(MalformedInputs))]
    public async Task Malformed_input_is_invalid_before_any_store_access(string name)
    {
        var input = Malformed[name];
        var counting = new CountingFamilyStore(Store);
        var engine = CreateEngine(store: counting);

        var rotated = await engine.RotateAsync(input);
        var inspected = await engine.InspectAsync(input);
        var revoked = await engine.RevokeAsync(input);

        Assert.Equal(RotationOutcome.Invalid, rotated.Outcome);
        Assert.Equal(OutcomeCause.Malformed, rotated.Cause);
        Assert.Equal(RotationOutcome.Invalid, inspected.Outcome);
        Assert.False(revoked);
        Assert.Null(rotated.Token);
        Assert.Equal(0, counting.Total);
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
        variants.Add("RT1_" + issued.Token[4..]);
        variants.Add("rt2_" + issued.Token[4..]);
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
            var result = await engine.RotateAsync(variant);
            Assert.True(result.Outcome == RotationOutcome.Invalid, $"A tampered token was accepted as {result.Outcome}.");
        }

        Assert.Equal(0, counting.Total);
        Assert.Equal(before, await StateOf(issued.FamilyId));
        await ExpectAsync(engine, issued.Token, RotationOutcome.Rotated);
    }

    /// <summary>Well-formed forgeries (random secrets, other generations, another family's id, flipped secret bits)
    /// are Invalid and change no state: no revocation, no replay count (invariant 6).</summary>
    [Fact]
    public async Task Forged_well_formed_tokens_are_invalid_and_change_nothing()
    {
        var engine = CreateEngine();
        var victim = await IssueAsync(engine);
        var retired1 = victim.Token;
        var retired2 = (await ExpectAsync(engine, retired1, RotationOutcome.Rotated)).Token!;
        var current = (await ExpectAsync(engine, retired2, RotationOutcome.Rotated)).Token!;
        var other = await engine.IssueAsync("mallory", "web");
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
        }

        foreach (var forged in forgeries)
        {
            var result = await engine.RotateAsync(forged);
            Assert.True(result.Outcome == RotationOutcome.Invalid, $"A forged token got {result.Outcome}.");
            Assert.Null(result.FamilyId);
            Assert.Null(result.Subject);
            Assert.False(await engine.RevokeAsync(forged));
        }

        Assert.Equal(victimBefore, await StateOf(victim.FamilyId));
        Assert.Equal(otherBefore, await StateOf(other.FamilyId));
        Assert.DoesNotContain(Events.Events, e => e.Kind is RotationEventKind.ReuseDetected or RotationEventKind.FamilyRevoked);
        await ExpectAsync(engine, current, RotationOutcome.Rotated);
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
            var issued = await engine.IssueAsync($"user{i}", "web", binding: i == 2 ? "jkt" : null);
            families.Add(issued.FamilyId);
            tokens.Add(issued.Token);
            var rotated = await engine.RotateAsync(issued.Token, i == 2 ? "jkt" : null);
            tokens.Add(rotated.Token!);
            await engine.RotateAsync(issued.Token);
            await engine.RotateAsync(issued.Token);
        }

        await engine.RotateAsync(tokens[^1], "wrong");
        await engine.RotateAsync(TokenForgery.WithFlippedSecretBit(tokens[0], 3));
        await engine.RevokeAsync(tokens[1]);
        await engine.InspectAsync(tokens[3]);

        var haystacks = new List<string> { Logs.AllText };
        haystacks.AddRange(Events.Events.Select(e => e.ToString()));
        foreach (var id in families)
        {
            var family = await Store.FindAsync(id);
            Assert.NotNull(family);
            haystacks.Add(Describe(family));
        }

        var digests = new List<byte[]>();
        foreach (var id in families)
        {
            digests.Add((await Store.FindAsync(id))!.Digest);
        }

        foreach (var token in tokens)
        {
            var needles = new[] { token, token[4..], token[4..40] }.Concat(TokenForgery.SecretEncodings(token));
            foreach (var needle in needles)
            {
                Assert.All(haystacks, haystack => Assert.DoesNotContain(needle, haystack, StringComparison.Ordinal));
            }

            var secret = TokenForgery.SecretBytes(token);
            Assert.All(digests, digest => Assert.False(digest.AsSpan().SequenceEqual(secret), "A store keeps a secret, not its digest."));
        }

        Assert.NotEmpty(Logs.Entries);
        Assert.Contains(Logs.Entries, e => e.EventId.Id == (int)RotationEventKind.ReuseDetected);
        Assert.DoesNotContain("rt1_", Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("rt1_", Encoding.UTF8.GetString(digests.SelectMany(d => d).ToArray()), StringComparison.Ordinal);
    }
}
