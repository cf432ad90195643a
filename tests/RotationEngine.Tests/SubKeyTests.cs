using System.Security.Cryptography;
using RotationEngine.Internal;

namespace RotationEngine.Tests;

/// <summary>The per-thread keyed hash objects of <see cref="SubKey"/>: one object per sub-key reused across calls,
/// the least recently used of twelve evicted and disposed, and an object that failed midway dropped so that its
/// half-fed input never reaches the next MAC. Each test runs on a new thread, whose cache starts empty.</summary>
public sealed class SubKeyTests
{
    private const int Kept = 12;

    [Fact]
    public void A_sub_key_reuses_its_hash_object_on_a_thread()
    {
        OnNewThread(() =>
        {
            var a = NewKey(1);
            var b = NewKey(2);
            var first = Use(a);
            var other = Use(b);
            Assert.NotSame(first, other);
            Assert.Same(first, Use(a));
            Assert.Same(other, Use(b));
            AssertComputes(a, 1);
            AssertComputes(b, 2);
            Assert.Same(first, Use(a));
        });
    }

    [Fact]
    public void The_least_recently_used_of_twelve_is_evicted_and_disposed()
    {
        OnNewThread(() =>
        {
            var keys = Enumerable.Range(1, Kept + 1).Select(NewKey).ToArray();
            var hashes = keys[..Kept].Select(Use).ToArray();
            for (var i = 0; i < 20; i++)
            {
                Assert.Same(hashes[0], Use(keys[0]));
            }

            // keys[0] is the most recently used now, keys[1] the least: the thirteenth key takes keys[1]'s place.
            var thirteenth = Use(keys[Kept]);
            Assert.Throws<ObjectDisposedException>(() => hashes[1].AppendData([1]));
            Assert.Same(hashes[0], Use(keys[0]));
            for (var i = 2; i < Kept; i++)
            {
                Assert.Same(hashes[i], Use(keys[i]));
            }

            Assert.Same(thirteenth, Use(keys[Kept]));
            Assert.NotSame(hashes[1], Use(keys[1]));
            for (var i = 0; i < keys.Length; i++)
            {
                AssertComputes(keys[i], i + 1);
            }
        });
    }

    [Fact]
    public void A_hash_object_that_failed_midway_is_dropped_and_its_input_never_reaches_the_next_MAC()
    {
        OnNewThread(() =>
        {
            var key = NewKey(3);
            var other = NewKey(4);
            var otherHash = Use(other);
            var hmac = key.Begin();
            hmac.AppendData("half-fed input"u8);
            Assert.Throws<ArgumentException>("destination", () => key.Finish(hmac, new byte[31]));

            Assert.Throws<ObjectDisposedException>(() => hmac.AppendData([1]));
            AssertComputes(key, 3);
            Assert.NotSame(hmac, Use(key));
            Assert.Same(otherHash, Use(other));
        });
    }

    private static SubKey NewKey(int seed) => new(Material(seed));

    private static byte[] Material(int seed) => Enumerable.Range(0, 32).Select(i => (byte)(seed * 31 + i)).ToArray();

    private static IncrementalHash Use(SubKey key)
    {
        var hmac = key.Begin();
        key.Finish(hmac, new byte[32]);
        return hmac;
    }

    private static void AssertComputes(SubKey key, int seed)
    {
        var mac = new byte[32];
        key.Compute("data"u8, mac);
        Assert.Equal(HMACSHA256.HashData(Material(seed), "data"u8), mac);
    }

    private static void OnNewThread(Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        Assert.Null(failure);
    }
}
