using RotationEngine.Keys;

namespace RotationEngine.Testing;

/// <summary>Fixed server keys for tests (never use them in production).</summary>
public static class TestKeys
{
    /// <summary>Key "k1": 32 bytes of 0x11.</summary>
    public static ChainKey Primary { get; } = new("k1", Enumerable.Repeat((byte)0x11, 32).ToArray());

    /// <summary>Key "k2": 32 bytes of 0x22.</summary>
    public static ChainKey Secondary { get; } = new("k2", Enumerable.Repeat((byte)0x22, 32).ToArray());

    /// <summary>A ring of <see cref="Primary"/> only.</summary>
    public static KeyRing Ring { get; } = new([Primary]);
}
