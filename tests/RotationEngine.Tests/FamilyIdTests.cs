using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RotationEngine.Tests;

/// <summary>The family id's refusals (wrong byte counts, malformed text, JSON that is not one) and its type converter's
/// answers for types other than string. Round trips are in <see cref="TokenCodecTests"/>.</summary>
public sealed class FamilyIdTests
{
    private static readonly FamilyId Id = FamilyId.Parse("0123456789abcdef0123456789abcdef");

    [Fact]
    public void Byte_forms_of_the_wrong_size_are_refused_with_the_sizes()
    {
        var wrong = Assert.Throws<ArgumentException>("bytes", () => FamilyId.FromBytes(new byte[15]));
        Assert.StartsWith("A family id is 16 bytes; 15 were given.", wrong.Message, StringComparison.Ordinal);
        var small = Assert.Throws<ArgumentException>("destination", () => Id.WriteBytes(new byte[15]));
        Assert.StartsWith("The destination must hold at least 16 bytes.", small.Message, StringComparison.Ordinal);
        Assert.Equal(Convert.FromHexString("0123456789abcdef0123456789abcdef"), Id.ToByteArray());
    }

    [Fact]
    public void Malformed_text_is_a_FormatException_that_says_what_a_family_id_is()
    {
        Assert.Equal("A family id is 32 hexadecimal digits.", Assert.Throws<FormatException>(() => FamilyId.Parse("0123")).Message);
        Assert.Equal("A family id is 32 hexadecimal digits.", Assert.Throws<FormatException>(() => FamilyId.Parse("0123".AsSpan(), CultureInfo.InvariantCulture)).Message);
        Assert.Equal(Id, FamilyId.Parse(Id.ToString().AsSpan(), CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Json_that_is_not_a_family_id_is_a_JsonException_that_says_what_one_is()
    {
        Assert.Equal("A family id is a string of 32 hexadecimal digits.", Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<FamilyId>("42")).Message);
        Assert.Equal("A family id is 32 hexadecimal digits.", Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Dictionary<FamilyId, int>>("{\"x\":1}")).Message);
    }

    [Fact]
    public void The_json_converter_refuses_a_null_writer()
    {
        var converter = new FamilyIdJsonConverter();
        Assert.Throws<ArgumentNullException>("writer", () => converter.Write(null!, Id, JsonSerializerOptions.Default));
        Assert.Throws<ArgumentNullException>("writer", () => converter.WriteAsPropertyName(null!, Id, JsonSerializerOptions.Default));

        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            converter.WriteAsPropertyName(writer, Id, JsonSerializerOptions.Default);
            converter.Write(writer, Id, JsonSerializerOptions.Default);
            writer.WriteEndObject();
        }

        Assert.Equal("{\"" + Id + "\":\"" + Id + "\"}", Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public void The_type_converter_converts_from_and_to_string_only()
    {
        var converter = TypeDescriptor.GetConverter(typeof(FamilyId));
        Assert.IsType<FamilyIdTypeConverter>(converter);
        Assert.True(converter.CanConvertFrom(typeof(string)));
        Assert.False(converter.CanConvertFrom(typeof(int)));
        Assert.True(converter.CanConvertTo(typeof(string)));
        Assert.False(converter.CanConvertTo(typeof(int)));
        Assert.Equal(Id.ToString(), converter.ConvertTo(null, CultureInfo.InvariantCulture, Id, typeof(string)));
        Assert.Throws<NotSupportedException>(() => converter.ConvertTo(null, CultureInfo.InvariantCulture, Id, typeof(int)));
        Assert.Throws<NotSupportedException>(() => converter.ConvertFrom(null, CultureInfo.InvariantCulture, 42));
    }
}
