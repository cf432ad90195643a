using System.Buffers.Binary;
using System.Security.Cryptography;
using RotationEngine.Keys;

namespace RotationEngine.Internal;

/// <summary>
/// The hash chain (SEMANTICS.md §3): secret(g+1) = HMAC-SHA-256(key, "RE1" | family id | g+1 | secret(g));
/// the store keeps SHA-256(secret(g)) only.
/// </summary>
/// <remarks>
/// Each thread keeps its own hash objects: a SHA-256 and an HMAC per chain key (a few keys, least recently
/// used evicted), each keyed once and reset after every hash. The static one-shot APIs set the HMAC key up and
/// create a native context on every call, which costs more than the hashing itself. Hashing never awaits, so a
/// thread's objects are never used by two operations at once. Results are identical to the one-shot APIs.
/// </remarks>
internal static class HashChain
{
    public const int DigestSize = 32;
    private static ReadOnlySpan<byte> Domain => "RE1"u8;
    private const int InputSize = 3 + FamilyId.Size + 4 + TokenCodec.SecretSize;

    [ThreadStatic]
    private static HashObjects? t_objects;

    private static HashObjects Objects => t_objects ??= new HashObjects();

    public static void FillRandom(Span<byte> secret) => RandomNumberGenerator.Fill(secret);

    /// <summary>Derives the secret of <paramref name="childGeneration"/> from its parent's secret.
    /// <paramref name="parent"/> and <paramref name="child"/> may be the same memory.</summary>
    public static void DeriveChild(ChainKey key, FamilyId familyId, int childGeneration, ReadOnlySpan<byte> parent, Span<byte> child)
    {
        Span<byte> input = stackalloc byte[InputSize];
        Domain.CopyTo(input);
        familyId.WriteBytes(input[3..]);
        BinaryPrimitives.WriteInt32BigEndian(input[(3 + FamilyId.Size)..], childGeneration);
        parent.CopyTo(input[(3 + FamilyId.Size + 4)..]);
        try
        {
            Objects.Hash(key, input, child);
        }
        finally
        {
            input.Clear();
        }
    }

    /// <summary>The one-way digest a store keeps of a secret.</summary>
    public static byte[] Digest(ReadOnlySpan<byte> secret)
    {
        var digest = new byte[DigestSize];
        Objects.Hash(null, secret, digest);
        return digest;
    }

    /// <summary>Whether <paramref name="secret"/> hashes to <paramref name="digest"/>, in fixed time.</summary>
    public static bool Matches(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> digest)
    {
        Span<byte> actual = stackalloc byte[DigestSize];
        Objects.Hash(null, secret, actual);
        return CryptographicOperations.FixedTimeEquals(actual, digest);
    }

    /// <summary>One thread's hash objects.</summary>
    private sealed class HashObjects
    {
        // The current key and the older keys that live families still use; more than this only costs a re-key.
        private const int KeysKept = 4;
        private readonly ChainKey?[] _keys = new ChainKey?[KeysKept];
        private readonly IncrementalHash?[] _hmacs = new IncrementalHash?[KeysKept];
        private readonly long[] _lastUse = new long[KeysKept];
        private IncrementalHash? _sha256;
        private long _uses;

        /// <summary>HMAC-SHA-256 under <paramref name="key"/>, or SHA-256 when it is null.</summary>
        public void Hash(ChainKey? key, ReadOnlySpan<byte> data, Span<byte> destination)
        {
            var slot = key is null ? -1 : SlotOf(key);
            var hash = slot < 0 ? _sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : _hmacs[slot]!;
            try
            {
                hash.AppendData(data);
                hash.GetHashAndReset(destination);
            }
            catch
            {
                // A hash object that failed midway may hold partial input: never use it again.
                Discard(slot);
                throw;
            }
        }

        private int SlotOf(ChainKey key)
        {
            var victim = 0;
            for (var i = 0; i < KeysKept; i++)
            {
                if (ReferenceEquals(_keys[i], key))
                {
                    _lastUse[i] = ++_uses;
                    return i;
                }

                if (_lastUse[i] < _lastUse[victim])
                {
                    victim = i;
                }
            }

            // Empty the slot first, so that a failed CreateHMAC never leaves a disposed object behind a live key.
            _hmacs[victim]?.Dispose();
            _hmacs[victim] = null;
            _keys[victim] = null;
            _hmacs[victim] = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key.Material);
            _keys[victim] = key;
            _lastUse[victim] = ++_uses;
            return victim;
        }

        private void Discard(int slot)
        {
            if (slot < 0)
            {
                _sha256?.Dispose();
                _sha256 = null;
            }
            else
            {
                _hmacs[slot]?.Dispose();
                _hmacs[slot] = null;
                _keys[slot] = null;
                _lastUse[slot] = 0;
            }
        }
    }
}
