using RotationEngine.Tokens;

namespace RotationEngine.Tests;

/// <summary>The public token layout's edges: what TryDecode refuses, the issue-time range Encode accepts (its last
/// accepted and first refused value), its refusals' messages, and a TokenParts' secret-free text.</summary>
public sealed class TokenFormatTests
{
    private static readonly FamilyId Family = FamilyId.Parse("0123456789abcdef0123456789abcdef");

    [Fact]
    public void Malformed_tokens_decode_to_nothing()
    {
        Assert.False(TokenFormat.TryDecode(null, out var parts));
        Assert.Null(parts);
        var good = TokenFormat.Encode(new TokenParts(1, Family, 0, 0, new byte[32], new byte[16]));
        Assert.False(TokenFormat.TryDecode(good[..^1], out parts));
        Assert.Null(parts);
        Assert.False(TokenFormat.TryDecode("rt1_" + good[4..], out parts));
        Assert.True(TokenFormat.TryDecode(good, out parts));
    }

    [Fact]
    public void The_issue_time_is_48_bits_of_milliseconds_and_nothing_else()
    {
        const long Max = (1L << 48) - 1;
        var token = TokenFormat.Encode(new TokenParts(1, Family, 0, Max, new byte[32], new byte[16]));
        Assert.True(TokenFormat.TryDecode(token, out var parts));
        Assert.Equal(Max, parts.IssuedAt);

        var late = Assert.Throws<ArgumentException>("parts", () => TokenFormat.Encode(new TokenParts(1, Family, 0, Max + 1, new byte[32], new byte[16])));
        Assert.StartsWith("A token's issue time is a 48-bit count of Unix milliseconds.", late.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>("parts", () => TokenFormat.Encode(new TokenParts(1, Family, 0, -1, new byte[32], new byte[16])));
    }

    [Fact]
    public void Secrets_and_tags_of_the_wrong_size_are_refused_with_the_sizes()
    {
        var wrong = Assert.Throws<ArgumentException>("parts", () => TokenFormat.Encode(new TokenParts(1, Family, 0, 0, new byte[32], new byte[15])));
        Assert.StartsWith("A token's secret is 32 bytes and its tag 16.", wrong.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>("parts", () => TokenFormat.Encode(new TokenParts(1, Family, 0, 0, new byte[33], new byte[16])));
        Assert.Throws<ArgumentNullException>("parts", () => TokenFormat.Encode(null!));
    }

    [Fact]
    public void A_token_parts_text_names_its_family_and_generation_only()
    {
        var parts = new TokenParts(0xCAFEF00D, Family, 7, 1_767_225_600_000, Enumerable.Repeat((byte)0xAB, 32).ToArray(), new byte[16]);
        Assert.Equal("TokenParts { FamilyId = 0123456789abcdef0123456789abcdef, Generation = 7 }", parts.ToString());
    }
}
