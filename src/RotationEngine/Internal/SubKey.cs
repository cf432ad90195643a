using System.Security.Cryptography;

namespace RotationEngine.Internal;

/// <summary>
/// One derived 256-bit HMAC-SHA-256 key (a <see cref="Keys.ChainKey"/> has three). Each thread keeps a keyed
/// <see cref="IncrementalHash"/> per sub-key, keyed once and reset after every use: the one-shot APIs set the key up
/// and create a native context on every call, which costs more than the hashing itself. Hashing never awaits, so a
/// thread's objects are never used by two operations at once.
/// </summary>
internal sealed class SubKey(byte[] material)
{
    // The sub-keys of the current key and of the older keys that live families still use; more only costs a re-key.
    private const int Kept = 12;

    [ThreadStatic]
    private static Slots? t_slots;

    /// <summary>A keyed HMAC-SHA-256 ready for input. Call <see cref="IncrementalHash.GetHashAndReset(Span{byte})"/>
    /// (or <see cref="Finish"/>) before the next use on this thread.</summary>
    public IncrementalHash Begin() => (t_slots ??= new Slots()).For(this);

    /// <summary>HMAC-SHA-256 of <paramref name="data"/> into <paramref name="destination"/> (32 bytes).</summary>
    public void Compute(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var hmac = Begin();
        hmac.AppendData(data);
        Finish(hmac, destination);
    }

    /// <summary>Ends a computation started with <see cref="Begin"/>; a hash object that failed midway is dropped.</summary>
    public void Finish(IncrementalHash hmac, Span<byte> destination)
    {
        try
        {
            hmac.GetHashAndReset(destination);
        }
        catch
        {
            t_slots?.Discard(this);
            throw;
        }
    }

    /// <summary>One thread's hash objects, least recently used evicted.</summary>
    private sealed class Slots
    {
        private readonly SubKey?[] _keys = new SubKey?[Kept];
        private readonly IncrementalHash?[] _hmacs = new IncrementalHash?[Kept];
        private readonly long[] _lastUse = new long[Kept];
        private long _uses;

        public IncrementalHash For(SubKey key)
        {
            var victim = 0;
            for (var i = 0; i < Kept; i++)
            {
                if (ReferenceEquals(_keys[i], key))
                {
                    _lastUse[i] = ++_uses;
                    return _hmacs[i]!;
                }

                // Stryker disable once Equality : "<=" only breaks ties, and only empty slots tie (at 0); ">" and ">=" are killed by SubKeyTests
                if (_lastUse[i] < _lastUse[victim])
                {
                    victim = i;
                }
            }

            // Empty the slot first, so that a failed CreateHMAC never leaves a disposed object behind a live key.
            _hmacs[victim]?.Dispose();
            _hmacs[victim] = null;
            _keys[victim] = null;
            var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key._material);
            _hmacs[victim] = hmac;
            _keys[victim] = key;
            _lastUse[victim] = ++_uses;
            return hmac;
        }

        public void Discard(SubKey key)
        {
            for (var i = 0; i < Kept; i++)
            {
                if (ReferenceEquals(_keys[i], key))
                {
                    _hmacs[i]?.Dispose();
                    _hmacs[i] = null;
                    _keys[i] = null;
                    _lastUse[i] = 0;
                }
            }
        }
    }

    private readonly byte[] _material = material;
}
