using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RotationEngine;

/// <summary>
/// Identifies a refresh-token family: the lineage of tokens born from one sign-in. A family id is not a secret (it
/// is inside every token of the family). Its text form is 32 lower-case hexadecimal digits, in JSON, in route
/// parameters (<see cref="IParsable{TSelf}"/>) and through its <see cref="TypeConverter"/>.
/// </summary>
[JsonConverter(typeof(FamilyIdJsonConverter))]
[TypeConverter(typeof(FamilyIdTypeConverter))]
public readonly record struct FamilyId : ISpanParsable<FamilyId>, ISpanFormattable
{
    /// <summary>The number of bytes of a family id.</summary>
    public const int Size = 16;

    /// <summary>Creates a family id from its value.</summary>
    public FamilyId(Guid value) => Value = value;

    /// <summary>The id's value.</summary>
    public Guid Value { get; }

    /// <summary>Creates a new random family id.</summary>
    public static FamilyId New()
    {
        Span<byte> bytes = stackalloc byte[Size];
        RandomNumberGenerator.Fill(bytes);
        return FromBytes(bytes);
    }

    /// <summary>Reads a family id from its 16-byte big-endian form.</summary>
    public static FamilyId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A family id is {Size} bytes; {bytes.Length} were given.", nameof(bytes));
        }

        return new FamilyId(new Guid(bytes, bigEndian: true));
    }

    /// <summary>Writes the id's 16-byte big-endian form.</summary>
    public void WriteBytes(Span<byte> destination)
    {
        if (!Value.TryWriteBytes(destination, bigEndian: true, out _))
        {
            throw new ArgumentException($"The destination must hold at least {Size} bytes.", nameof(destination));
        }
    }

    /// <summary>Returns the id's 16-byte big-endian form.</summary>
    public byte[] ToByteArray()
    {
        var bytes = new byte[Size];
        WriteBytes(bytes);
        return bytes;
    }

    /// <summary>Parses the 32-hex-digit form that <see cref="ToString()"/> writes (either case).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out FamilyId id) => TryParse(text.AsSpan(), out id);

    /// <summary>Parses the 32-hex-digit form that <see cref="ToString()"/> writes (either case).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out FamilyId id)
    {
        if (text.Length == 32 && Guid.TryParseExact(text, "N", out var value))
        {
            id = new FamilyId(value);
            return true;
        }

        id = default;
        return false;
    }

    /// <summary>Parses the 32-hex-digit form that <see cref="ToString()"/> writes.</summary>
    /// <exception cref="FormatException">The text is not a family id.</exception>
    public static FamilyId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException("A family id is 32 hexadecimal digits.");

    /// <inheritdoc />
    public static FamilyId Parse(string s, IFormatProvider? provider) => Parse(s);

    /// <inheritdoc />
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out FamilyId result) => TryParse(s, out result);

    /// <inheritdoc />
    public static FamilyId Parse(ReadOnlySpan<char> s, IFormatProvider? provider) =>
        TryParse(s, out var id) ? id : throw new FormatException("A family id is 32 hexadecimal digits.");

    /// <inheritdoc />
    public static bool TryParse(ReadOnlySpan<char> s, IFormatProvider? provider, out FamilyId result) => TryParse(s, out result);

    /// <summary>The id as 32 lower-case hexadecimal digits.</summary>
    public override string ToString() => Value.ToString("N");

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        Value.TryFormat(destination, out charsWritten, "N");
}

/// <summary>Writes a <see cref="FamilyId"/> as its 32-hex-digit string and reads it back.</summary>
public sealed class FamilyIdJsonConverter : JsonConverter<FamilyId>
{
    /// <inheritdoc />
    public override FamilyId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && FamilyId.TryParse(reader.GetString(), out var id)
            ? id
            : throw new JsonException("A family id is a string of 32 hexadecimal digits.");

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, FamilyId value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString());
    }

    /// <inheritdoc />
    public override FamilyId ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        FamilyId.TryParse(reader.GetString(), out var id) ? id : throw new JsonException("A family id is 32 hexadecimal digits.");

    /// <inheritdoc />
    public override void WriteAsPropertyName(Utf8JsonWriter writer, FamilyId value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WritePropertyName(value.ToString());
    }
}

/// <summary>Converts a <see cref="FamilyId"/> from and to its 32-hex-digit string (configuration, model binding).</summary>
public sealed class FamilyIdTypeConverter : TypeConverter
{
    /// <inheritdoc />
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    /// <inheritdoc />
    public override bool CanConvertTo(ITypeDescriptorContext? context, [NotNullWhen(true)] Type? destinationType) =>
        // Stryker disable once Logical : TypeConverter.CanConvertTo is true exactly for string, so "&&" answers as "||" does
        destinationType == typeof(string) || base.CanConvertTo(context, destinationType);

    /// <inheritdoc />
    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text ? FamilyId.Parse(text) : base.ConvertFrom(context, culture, value);

    /// <inheritdoc />
    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType) =>
        destinationType == typeof(string) && value is FamilyId id ? id.ToString() : base.ConvertTo(context, culture, value, destinationType);
}
