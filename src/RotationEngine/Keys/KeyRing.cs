using System.Security.Cryptography;

namespace RotationEngine.Keys;

/// <summary>A fixed set of chain keys, one of them current.</summary>
public sealed class KeyRing : IKeyRing
{
    private readonly Dictionary<string, ChainKey> _keys;

    /// <summary>Creates a ring.</summary>
    /// <param name="keys">The keys; ids must be unique.</param>
    /// <param name="currentKeyId">The key new families use; default: the last key.</param>
    public KeyRing(IEnumerable<ChainKey> keys, string? currentKeyId = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = new Dictionary<string, ChainKey>(StringComparer.Ordinal);
        ChainKey? last = null;
        foreach (var key in keys)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(keys));
            if (!_keys.TryAdd(key.Id, key))
            {
                throw new ArgumentException($"Key id '{key.Id}' appears twice in the key ring.", nameof(keys));
            }

            last = key;
        }

        if (last is null)
        {
            throw new ArgumentException("A key ring needs at least one key.", nameof(keys));
        }

        CurrentKey = currentKeyId is null ? last
            : _keys.TryGetValue(currentKeyId, out var current) ? current
            : throw new ArgumentException($"The current key id '{currentKeyId}' is not in the key ring.", nameof(currentKeyId));
    }

    /// <inheritdoc />
    public ChainKey CurrentKey { get; }

    /// <summary>Whether this ring was generated for development and lives only as long as the process.</summary>
    public bool IsEphemeral { get; private init; }

    /// <inheritdoc />
    public ChainKey? FindKey(string keyId) => _keys.GetValueOrDefault(keyId);

    /// <summary>A ring of one random key that lives as long as the process: for development and tests.
    /// Tokens issued under it stop working when the process ends.</summary>
    public static KeyRing CreateEphemeral()
    {
        Span<byte> material = stackalloc byte[ChainKey.MinimumSize];
        RandomNumberGenerator.Fill(material);
        return new KeyRing([new ChainKey("ephemeral", material)]) { IsEphemeral = true };
    }

    /// <summary>Builds the ring configured in <paramref name="options"/>, or null when it configures no key.</summary>
    /// <exception cref="ArgumentException">A key's id or secret is invalid.</exception>
    public static KeyRing? FromOptions(RotationEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Keys.Count == 0)
        {
            return null;
        }

        var keys = new List<ChainKey>(options.Keys.Count);
        foreach (var key in options.Keys)
        {
            keys.Add(new ChainKey(key.Id, DecodeSecret(key)));
        }

        return new KeyRing(keys, options.CurrentKeyId);
    }

    internal static byte[] DecodeSecret(KeyOptions key)
    {
        var buffer = new byte[(key.Secret?.Length ?? 0) * 3 / 4 + 3];
        if (!Convert.TryFromBase64String(key.Secret ?? "", buffer, out var written))
        {
            throw new ArgumentException($"Keys['{key.Id}'].Secret is not valid base64.", nameof(key));
        }

        return buffer.AsSpan(0, written).ToArray();
    }
}
