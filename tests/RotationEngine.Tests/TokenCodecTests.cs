using RotationEngine.Internal;

namespace RotationEngine.Tests;

public sealed class TokenCodecTests
{
    [Fact]
    public void Format_is_79_url_safe_characters_and_round_trips()
    {
        var id = FamilyId.New();
        var secret = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();

        var token = TokenCodec.Format(id, 123_456, secret);

        Assert.Equal(79, token.Length);
        Assert.Equal(TokenCodec.Length, token.Length);
        Assert.Matches("^rt1_[A-Za-z0-9_-]{75}$", token);
        Assert.True(TokenCodec.TryParse(token, out var parsed));
        Assert.Equal(id, parsed.FamilyId);
        Assert.Equal(123_456, parsed.Generation);
        Assert.Equal(secret, ((ReadOnlySpan<byte>)parsed.Secret).ToArray());
    }

    [Fact]
    public void Exactly_one_spelling_of_each_token_parses()
    {
        var token = TokenCodec.Format(FamilyId.New(), 1, new byte[32]);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

        var accepted = alphabet
            .Select(c => token[..^1] + c)
            .Where(candidate => TokenCodec.TryParse(candidate, out _))
            .ToList();

        Assert.Equal([token], accepted);
    }

    [Fact]
    public void Negative_generations_are_malformed()
    {
        var token = TokenCodec.Format(FamilyId.New(), -1, new byte[32]);
        Assert.False(TokenCodec.TryParse(token, out _));
    }

    [Fact]
    public void Family_id_text_form_round_trips()
    {
        var id = FamilyId.New();
        Assert.Equal(32, id.ToString().Length);
        Assert.Equal(id, FamilyId.Parse(id.ToString()));
        Assert.Equal(id, FamilyId.FromBytes(id.ToByteArray()));
        Assert.False(FamilyId.TryParse("nope", out _));
        Assert.False(FamilyId.TryParse(null, out _));
    }
}
