using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace RotationEngine;

/// <summary>
/// Identifies a refresh-token family: the lineage of tokens born from one sign-in.
/// A family id is not a secret (it is visible inside every token of the family).
/// </summary>
public readonly record struct FamilyId
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

    /// <summary>Parses the 32-hex-digit form that <see cref="ToString"/> writes.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out FamilyId id)
    {
        if (text is { Length: 32 } && Guid.TryParseExact(text, "N", out var value))
        {
            id = new FamilyId(value);
            return true;
        }

        id = default;
        return false;
    }

    /// <summary>Parses the 32-hex-digit form that <see cref="ToString"/> writes.</summary>
    public static FamilyId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException("A family id is 32 hexadecimal digits.");

    /// <summary>The id as 32 lower-case hexadecimal digits.</summary>
    public override string ToString() => Value.ToString("N");
}
