using System.Text.RegularExpressions;

namespace RotationEngine.Keys;

/// <summary>A server key of the hash chain: the child secret is HMAC-SHA-256 of the parent under it.
/// Its material never enters the store.</summary>
public sealed partial class ChainKey
{
    /// <summary>The fewest bytes of key material accepted.</summary>
    public const int MinimumSize = 32;

    private readonly byte[] _material;

    /// <summary>Creates a key.</summary>
    /// <param name="id">1 to 64 characters of letters, digits, '.', '_' or '-'.</param>
    /// <param name="material">At least 32 bytes; copied.</param>
    public ChainKey(string id, ReadOnlySpan<byte> material)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!IdPattern().IsMatch(id))
        {
            throw new ArgumentException("A key id is 1 to 64 characters of letters, digits, '.', '_' or '-'.", nameof(id));
        }

        if (material.Length < MinimumSize)
        {
            throw new ArgumentException($"Key '{id}' has {material.Length} bytes of material; at least {MinimumSize} are required.", nameof(material));
        }

        Id = id;
        _material = material.ToArray();
    }

    /// <summary>The key id stored with each family issued under this key.</summary>
    public string Id { get; }

    internal ReadOnlySpan<byte> Material => _material;

    /// <summary>Whether <paramref name="id"/> is a valid key id.</summary>
    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    /// <inheritdoc />
    public override string ToString() => $"ChainKey {Id}";

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
