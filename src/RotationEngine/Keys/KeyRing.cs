using System.Security.Cryptography;

namespace RotationEngine.Keys;

/// <summary>A fixed set of server keys, one of them current.</summary>
public sealed class KeyRing : IKeyRing
{
    private readonly Dictionary<string, ChainKey> _byId;
    private readonly Dictionary<uint, ChainKey> _byFingerprint;

    /// <summary>Creates a ring.</summary>
    /// <param name="keys">The keys; ids and fingerprints must be unique.</param>
    /// <param name="currentKeyId">The key new families use; default: the last key.</param>
    /// <exception cref="ArgumentException">No key, a duplicate id or fingerprint, or an unknown current key id.</exception>
    public KeyRing(IEnumerable<ChainKey> keys, string? currentKeyId = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _byId = new Dictionary<string, ChainKey>(StringComparer.Ordinal);
        _byFingerprint = [];
        ChainKey? last = null;
        foreach (var key in keys)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(keys));
            if (!_byId.TryAdd(key.Id, key))
            {
                throw new ArgumentException($"Key id '{key.Id}' appears twice in the key ring.", nameof(keys));
            }

            if (!_byFingerprint.TryAdd(key.Fingerprint, key))
            {
                throw new ArgumentException(
                    $"Keys '{_byFingerprint[key.Fingerprint].Id}' and '{key.Id}' have the same fingerprint: they are the same material or a one-in-four-billion collision. Generate a new key.",
                    nameof(keys));
            }

            last = key;
        }

        if (last is null)
        {
            throw new ArgumentException("A key ring needs at least one key.", nameof(keys));
        }

        CurrentKey = currentKeyId is null ? last
            : _byId.TryGetValue(currentKeyId, out var current) ? current
            : throw new ArgumentException($"The current key id '{currentKeyId}' is not in the key ring.", nameof(currentKeyId));
    }

    /// <inheritdoc />
    public ChainKey CurrentKey { get; }

    /// <summary>Whether this ring was generated for development and lives only as long as the process.</summary>
    public bool IsEphemeral { get; private init; }

    /// <inheritdoc />
    public ChainKey? FindKey(string keyId) => _byId.GetValueOrDefault(keyId);

    /// <inheritdoc />
    public ChainKey? FindKey(uint fingerprint) => _byFingerprint.GetValueOrDefault(fingerprint);

    /// <summary>A ring of one random key that lives as long as the process: for development and tests. Its id is
    /// random too (<c>ephemeral-</c> and 16 hex digits), so two processes never take each other's keys for the same
    /// one. Tokens issued under it stop working when the process ends.</summary>
    public static KeyRing CreateEphemeral()
    {
        Span<byte> material = stackalloc byte[ChainKey.MinimumSize];
        RandomNumberGenerator.Fill(material);
        var id = "ephemeral-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var ring = new KeyRing([new ChainKey(id, material)]) { IsEphemeral = true };
        // Stryker disable once Statement : zeroes a stack buffer that is dropped on return; nothing can observe it
        CryptographicOperations.ZeroMemory(material);
        return ring;
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
            var material = DecodeSecret(key);
            keys.Add(new ChainKey(key.Id, material));
            // Stryker disable once Statement : zeroes a copy of the material (ChainKey keeps only derived keys) that is then dropped; nothing can observe it
            CryptographicOperations.ZeroMemory(material);
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

        var material = buffer.AsSpan(0, written).ToArray();
        // Stryker disable once Statement : zeroes the decoding buffer that is dropped on return; nothing can observe it
        CryptographicOperations.ZeroMemory(buffer);
        return material;
    }
}
