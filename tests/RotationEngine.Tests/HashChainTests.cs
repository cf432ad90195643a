using System.Buffers.Binary;
using System.Security.Cryptography;
using RotationEngine.Internal;
using RotationEngine.Keys;

namespace RotationEngine.Tests;

/// <summary>The chain's cached hash objects give exactly what the one-shot APIs give (the token format and
/// every stored digest depend on it), whatever the number of keys and threads.</summary>
public sealed class HashChainTests
{
    [Fact]
    public void Child_and_digest_equal_the_one_shot_reference_across_more_keys_than_are_cached()
    {
        var keys = Enumerable.Range(1, 7).Select(n => new ChainKey($"k{n}", Enumerable.Repeat((byte)n, 32 + n).ToArray())).ToArray();
        var family = FamilyId.New();
        var parent = RandomNumberGenerator.GetBytes(32);

        // Interleave the keys so that the per-thread cache evicts and re-keys.
        for (var round = 0; round < 3; round++)
        {
            foreach (var key in keys.Concat(keys.Reverse()))
            {
                var child = new byte[32];
                HashChain.DeriveChild(key, family, 42 + round, parent, child);

                Assert.Equal(ReferenceChild(key, family, 42 + round, parent), child);
                Assert.Equal(SHA256.HashData(child), HashChain.Digest(child));
                Assert.True(HashChain.Matches(child, SHA256.HashData(child)));
                Assert.False(HashChain.Matches(parent, SHA256.HashData(child)));
            }
        }
    }

    [Fact]
    public void Deriving_in_place_equals_deriving_into_another_buffer()
    {
        var key = new ChainKey("k", RandomNumberGenerator.GetBytes(32));
        var family = FamilyId.New();
        var secret = RandomNumberGenerator.GetBytes(32);
        var expected = ReferenceChild(key, family, 7, secret);

        HashChain.DeriveChild(key, family, 7, secret, secret);

        Assert.Equal(expected, secret);
    }

    [Fact]
    public async Task Threads_hashing_at_once_each_get_the_reference_result()
    {
        var key = new ChainKey("shared", RandomNumberGenerator.GetBytes(32));
        var family = FamilyId.New();
        var mismatches = 0;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            var secret = RandomNumberGenerator.GetBytes(32);
            for (var generation = 1; generation <= 500; generation++)
            {
                var expected = ReferenceChild(key, family, generation, secret);
                HashChain.DeriveChild(key, family, generation, secret, secret);
                if (!expected.AsSpan().SequenceEqual(secret) || !SHA256.HashData(secret).AsSpan().SequenceEqual(HashChain.Digest(secret)))
                {
                    Interlocked.Increment(ref mismatches);
                }
            }
        })));

        Assert.Equal(0, mismatches);
    }

    private static byte[] ReferenceChild(ChainKey key, FamilyId family, int generation, byte[] parent)
    {
        var input = new byte[3 + 16 + 4 + 32];
        "RE1"u8.CopyTo(input);
        family.WriteBytes(input.AsSpan(3));
        BinaryPrimitives.WriteInt32BigEndian(input.AsSpan(19), generation);
        parent.CopyTo(input, 23);
        return HMACSHA256.HashData(key.Material, input);
    }
}
