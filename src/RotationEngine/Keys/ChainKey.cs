using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using RotationEngine.Internal;

namespace RotationEngine.Keys;

/// <summary>
/// A server key. Three subkeys are derived from it with HKDF-SHA-256, each under its own label, so that no output
/// of one purpose is ever the input or the output of another (docs/security.md): the <b>chain</b> subkey derives
/// each generation's secret from the previous one, the <b>token</b> subkey gives every token its tag and the store
/// its digest, the <b>seal</b> subkey seals a family's identity. Its material never enters the store.
/// </summary>
public sealed partial class ChainKey
{
    /// <summary>The fewest bytes of key material accepted.</summary>
    public const int MinimumSize = 32;

    /// <summary>Creates a key.</summary>
    /// <param name="id">1 to 64 characters of letters, digits, '.', '_' or '-'. Stored with each family.</param>
    /// <param name="material">At least 32 random bytes; copied.</param>
    /// <exception cref="ArgumentException">The id or the material is invalid.</exception>
    public ChainKey(string id, ReadOnlySpan<byte> material)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!IdPattern().IsMatch(id))
        {
            throw new ArgumentException("A key id is 1 to 64 characters of letters, digits, '.', '_' or '-'.", nameof(id));
        }

        if (material.Length < MinimumSize)
        {
            throw new ArgumentException($"Key '{id}' has {material.Length} bytes of material; at least {MinimumSize} are required.", nameof(id));
        }

        Id = id;
        Chain = new SubKey(Derive(material, "chain"));
        Token = new SubKey(Derive(material, "token"));
        Seal = new SubKey(Derive(material, "seal"));
        Span<byte> fingerprint = stackalloc byte[4];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, material, fingerprint, Salt, "fingerprint"u8);
        Fingerprint = BinaryPrimitives.ReadUInt32BigEndian(fingerprint);
    }

    /// <summary>The key id stored with each family issued under this key.</summary>
    public string Id { get; }

    /// <summary>The 32-bit fingerprint every token of this key carries, so that the engine finds the key of a token
    /// before any store access. Derived from the material: it identifies the key without revealing it.</summary>
    public uint Fingerprint { get; }

    internal SubKey Chain { get; }

    internal SubKey Token { get; }

    internal SubKey Seal { get; }

    private static ReadOnlySpan<byte> Salt => "RotationEngine v2"u8;

    /// <summary>Whether <paramref name="id"/> is a valid key id.</summary>
    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    /// <inheritdoc />
    public override string ToString() => $"ChainKey {Id} ({Fingerprint:x8})";

    private static byte[] Derive(ReadOnlySpan<byte> material, string label)
    {
        var key = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, material, key, Salt, System.Text.Encoding.ASCII.GetBytes(label));
        return key;
    }

    // \z, not $: "$" also matches before a trailing newline.
    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
