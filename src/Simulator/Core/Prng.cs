namespace Simulator.Core;

/// <summary>
/// xoshiro256** seeded through SplitMix64: fast, small, and identical on every platform, so one seed
/// reproduces a run. A mutable struct: keep it in a field or an array slot and use it by reference.
/// </summary>
internal struct Prng
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public Prng(ulong seed)
    {
        var state = seed;
        _s0 = SplitMix(ref state);
        _s1 = SplitMix(ref state);
        _s2 = SplitMix(ref state);
        _s3 = SplitMix(ref state);
    }

    /// <summary>An independent stream for one actor: dropping other actors leaves its draws unchanged.</summary>
    public static Prng ForStream(ulong seed, ulong stream, ulong index)
    {
        var state = seed ^ (stream * 0xD1B54A32D192ED03UL);
        var mixed = SplitMix(ref state) ^ (index * 0x9E3779B97F4A7C15UL);
        return new Prng(SplitMix(ref mixed));
    }

    public static ulong SplitMix(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive)
    {
        var bits = NextUInt64() >> 32;
        return maxExclusive <= 1 ? 0 : (int)((bits * (ulong)maxExclusive) >> 32);
    }

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long Between(long min, long max)
    {
        var unit = NextDouble();
        return max <= min ? min : min + (long)(unit * (max - min + 1));
    }

    /// <summary>True with probability <paramref name="p"/>. Always draws, so that changing a rate to zero
    /// (as the shrinker does) leaves every later draw of the stream unchanged.</summary>
    public bool Chance(double p) => NextDouble() < p;

    /// <summary>An exponential delay with the given mean (a Poisson process's gaps).</summary>
    public long Exponential(double mean) => (long)(-Math.Log(1.0 - NextDouble()) * mean);

    /// <summary>A log-normal value with the given median and shape (network latency).</summary>
    public long LogNormal(double median, double sigma)
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        var normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        return (long)(median * Math.Exp(sigma * normal));
    }
}
