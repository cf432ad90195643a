using System.ComponentModel;
using System.Text.Json;
using RotationEngine.Internal;
using RotationEngine.Tokens;

namespace RotationEngine.Tests;

public sealed class TokenCodecTests
{
    [Fact]
    public void Format_is_108_url_safe_characters_and_round_trips()
    {
        var id = FamilyId.New();
        var secret = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
        var tag = Enumerable.Range(0, 16).Select(i => (byte)(255 - i)).ToArray();

        var token = TokenCodec.Format(0xDEADBEEF, id, 123_456, 1_767_225_600_123, secret, tag);

        Assert.Equal(108, token.Length);
        Assert.Equal(TokenCodec.Length, token.Length);
        Assert.InRange(token.Length, 1, 128);
        Assert.Matches(@"^rt2_[A-Za-z0-9_-]{104}\z", token);
        Assert.True(TokenCodec.TryParse(token, out var parsed));
        Assert.Equal((0xDEADBEEFu, id, 123_456, 1_767_225_600_123L), (parsed.Fingerprint, parsed.FamilyId, parsed.Generation, parsed.IssuedAt));
        Assert.Equal(secret, ((ReadOnlySpan<byte>)parsed.Secret).ToArray());
        Assert.Equal(tag, ((ReadOnlySpan<byte>)parsed.Tag).ToArray());

        Assert.True(TokenFormat.TryDecode(token, out var parts));
        Assert.Equal(token, TokenFormat.Encode(parts));
        Assert.DoesNotContain(Convert.ToHexString(secret), parts.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Exactly_one_spelling_of_each_token_parses_to_its_bytes()
    {
        // 78 bytes are 104 base64url characters with no spare bits: changing any character changes the bytes.
        var token = TokenCodec.Format(1, FamilyId.New(), 1, 0, new byte[32], new byte[16]);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (var i = 4; i < token.Length; i += 13)
        {
            foreach (var c in alphabet.Where(c => c != token[i]))
            {
                var variant = token[..i] + c + token[(i + 1)..];
                if (TokenCodec.TryParse(variant, out var parsed) && TokenCodec.TryParse(token, out var original))
                {
                    Assert.NotEqual(TokenFormat.TryDecode(token, out var a) ? Convert.ToHexString([.. a.Secret, .. a.Tag]) + a.FamilyId + a.Generation + a.IssuedAt + a.KeyFingerprint : "",
                        TokenFormat.TryDecode(variant, out var b) ? Convert.ToHexString([.. b.Secret, .. b.Tag]) + b.FamilyId + b.Generation + b.IssuedAt + b.KeyFingerprint : "");
                }
            }
        }
    }

    [Fact]
    public void Every_character_outside_the_base64url_alphabet_is_malformed_anywhere()
    {
        // Standard base64's '+' and '/', padding, whitespace (which decoders skip), NUL and every non-ASCII character, alone
        // or in pairs, first, inside and last: none of them spells a token, whatever the decoder would make of it.
        var token = TokenCodec.Format(0xDEADBEEF, TestRecords.Id(1), 7, 1_767_225_600_123, new byte[32], new byte[16]);
        Assert.True(TokenCodec.TryParse(token, out _));
        for (var c = char.MinValue; c < char.MaxValue; c++)
        {
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_')
            {
                continue;
            }

            foreach (var i in new[] { 4, 60, token.Length - 1 })
            {
                Assert.False(TokenCodec.TryParse(token[..i] + c + token[(i + 1)..], out _), $"U+{(int)c:X4} at {i}");
            }

            Assert.False(TokenCodec.TryParse(token[..10] + c + token[11..70] + c + token[71..], out _), $"U+{(int)c:X4} twice");
        }
    }

    [Fact]
    public void Negative_generations_and_other_prefixes_are_malformed()
    {
        var token = TokenCodec.Format(1, FamilyId.New(), -1, 0, new byte[32], new byte[16]);
        Assert.False(TokenCodec.TryParse(token, out _));
        var good = TokenCodec.Format(1, FamilyId.New(), 0, 0, new byte[32], new byte[16]);
        Assert.False(TokenCodec.TryParse("rt1_" + good[4..], out _));
        Assert.False(TokenCodec.TryParse("RT2_" + good[4..], out _));
        Assert.Throws<ArgumentException>(() => TokenFormat.Encode(new TokenParts(1, FamilyId.New(), 0, -1, new byte[32], new byte[16])));
        Assert.Throws<ArgumentException>(() => TokenFormat.Encode(new TokenParts(1, FamilyId.New(), 0, 0, new byte[31], new byte[16])));
    }

    [Fact]
    public void Family_id_round_trips_through_text_json_type_converter_and_IParsable()
    {
        var id = FamilyId.New();
        Assert.Equal(32, id.ToString().Length);
        Assert.Equal(id, FamilyId.Parse(id.ToString()));
        Assert.Equal(id, FamilyId.Parse(id.ToString().ToUpperInvariant()));
        Assert.Equal(id, FamilyId.FromBytes(id.ToByteArray()));
        Assert.False(FamilyId.TryParse("nope", out _));
        Assert.False(FamilyId.TryParse((string?)null, out _));
        Assert.False(FamilyId.TryParse(id.Value.ToString("D"), out _));
        Assert.False(FamilyId.TryParse(id + "\n", out _));

        var json = JsonSerializer.Serialize(new { Id = id, Ids = new Dictionary<FamilyId, int> { [id] = 1 } });
        Assert.Equal("{\"Id\":\"" + id + "\",\"Ids\":{\"" + id + "\":1}}", json);
        Assert.Equal(id, JsonSerializer.Deserialize<FamilyId>($"\"{id}\""));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<FamilyId>("\"nope\""));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<FamilyId>("{\"value\":\"x\"}"));

        var converter = TypeDescriptor.GetConverter(typeof(FamilyId));
        Assert.Equal(id, converter.ConvertFromInvariantString(id.ToString()));
        Assert.Equal(id.ToString(), converter.ConvertToInvariantString(id));
        Assert.Equal(id, Parse<FamilyId>(id.ToString()));
    }

    private static T Parse<T>(string text)
        where T : IParsable<T> => T.Parse(text, null);
}
