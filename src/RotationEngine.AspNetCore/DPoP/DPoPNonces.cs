using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace RotationEngine.AspNetCore.DPoP;

/// <summary>
/// Stateless server nonces (RFC 9449 §8): the nonce of a time bucket of <see cref="DPoPOptions.NonceLifetime"/> is an
/// HMAC-SHA256 of the bucket number under the nonce key, truncated to 128 bits. The current and the previous bucket's
/// nonces are accepted. Instances sharing <see cref="DPoPOptions.NonceKey"/> accept each other's nonces.
/// </summary>
public sealed class DPoPNonces
{
    private readonly byte[] _key;
    private readonly long _bucketMs;
    private readonly TimeProvider _time;

    /// <summary>Creates the nonce source.</summary>
    public DPoPNonces(IOptions<DPoPOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _key = o.NonceKey is { } key ? Convert.FromBase64String(key) : RandomNumberGenerator.GetBytes(32);
        _bucketMs = (long)o.NonceLifetime.TotalMilliseconds;
        _time = time;
    }

    /// <summary>The current nonce (the <c>DPoP-Nonce</c> header's value).</summary>
    public string Current() => ForBucket(Bucket(_time.GetUtcNow()));

    /// <summary>Whether <paramref name="nonce"/> is the current or the previous bucket's nonce.</summary>
    public bool IsValid(string nonce, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(nonce);
        if (nonce.Length != 22)
        {
            return false;
        }

        var bucket = Bucket(now);
        return Equal(nonce, ForBucket(bucket)) | Equal(nonce, ForBucket(bucket - 1));
    }

    private long Bucket(DateTimeOffset now) => now.ToUnixTimeMilliseconds() / _bucketMs;

    private string ForBucket(long bucket)
    {
        Span<byte> input = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(input, bucket);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, input, mac);
        return Base64Url.EncodeToString(mac[..16]);
    }

    private static bool Equal(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()), System.Runtime.InteropServices.MemoryMarshal.AsBytes(b.AsSpan()));
}
