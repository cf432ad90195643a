using System.Security.Cryptography;
using System.Text;

namespace RotationEngine.AspNetCore.Clients;

/// <summary>One registered client: public (RFC 6749 §2.1: no secret, identified by <c>client_id</c>) or confidential
/// (one or more secrets, kept only as SHA-256 digests and compared in constant time).</summary>
public sealed class ClientRegistration
{
    private readonly byte[][] _secretDigests;

    private ClientRegistration(string clientId, byte[][] secretDigests, bool allowRefreshTokenGrant)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        ClientId = clientId;
        _secretDigests = secretDigests;
        AllowRefreshTokenGrant = allowRefreshTokenGrant;
    }

    /// <summary>The client id.</summary>
    public string ClientId { get; }

    /// <summary>True for a public client: it authenticates with its <c>client_id</c> alone.</summary>
    public bool IsPublic => _secretDigests.Length == 0;

    /// <summary>Whether the client may use <c>grant_type=refresh_token</c>; false answers <c>unauthorized_client</c>.</summary>
    public bool AllowRefreshTokenGrant { get; }

    /// <summary>A public client (no secret).</summary>
    /// <param name="clientId">The client id.</param>
    /// <param name="allowRefreshTokenGrant">Whether it may use the refresh grant.</param>
    public static ClientRegistration Public(string clientId, bool allowRefreshTokenGrant = true) => new(clientId, [], allowRefreshTokenGrant);

    /// <summary>A confidential client with the given SHA-256 digests of its secrets (several during a secret rotation).</summary>
    /// <param name="clientId">The client id.</param>
    /// <param name="secretDigests">SHA-256 digests of the UTF-8 secrets (see <see cref="DigestSecret"/>); at least one, 32 bytes each.</param>
    /// <param name="allowRefreshTokenGrant">Whether it may use the refresh grant.</param>
    /// <exception cref="ArgumentException">No digest, or one that is not 32 bytes.</exception>
    public static ClientRegistration Confidential(string clientId, IEnumerable<byte[]> secretDigests, bool allowRefreshTokenGrant = true)
    {
        ArgumentNullException.ThrowIfNull(secretDigests);
        var digests = secretDigests.Select(d => d is { Length: SHA256.HashSizeInBytes } ? (byte[])d.Clone() : throw new ArgumentException("Each secret digest must be the 32-byte SHA-256 of the secret.", nameof(secretDigests))).ToArray();
        if (digests.Length == 0)
        {
            throw new ArgumentException($"Confidential client '{clientId}' needs at least one secret digest.", nameof(secretDigests));
        }

        return new ClientRegistration(clientId, digests, allowRefreshTokenGrant);
    }

    /// <summary>The SHA-256 digest of a client secret's UTF-8 bytes, the form <see cref="Confidential"/> keeps.
    /// Client secrets must be random (at least 128 bits): SHA-256 is not a password hash.</summary>
    /// <param name="secret">The secret.</param>
    public static byte[] DigestSecret(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return SHA256.HashData(Encoding.UTF8.GetBytes(secret));
    }

    /// <summary>Whether <paramref name="secret"/> is one of the client's secrets, compared in constant time over
    /// every registered digest. Always false for a public client.</summary>
    /// <param name="secret">The presented secret.</param>
    public bool VerifySecret(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        Span<byte> presented = stackalloc byte[SHA256.HashSizeInBytes];
        var bytes = Encoding.UTF8.GetBytes(secret);
        SHA256.HashData(bytes, presented);
        var match = false;
        foreach (var digest in _secretDigests)
        {
            match |= CryptographicOperations.FixedTimeEquals(presented, digest);
        }

        return match;
    }

    /// <inheritdoc />
    public override string ToString() => $"ClientRegistration {{ ClientId = {ClientId}, IsPublic = {IsPublic} }}";
}
