using RotationEngine.Keys;

namespace RotationEngine.Tests;

/// <summary>Key and key-ring construction refusals, each with the message that tells the operator what to fix, and
/// a key's identifying text.</summary>
public sealed class KeyRingTests
{
    private static readonly byte[] MaterialA = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] MaterialB = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void A_ring_refuses_no_key_a_duplicate_id_and_an_unknown_current_id()
    {
        Assert.Throws<ArgumentNullException>("keys", () => new KeyRing(null!));
        Assert.Throws<ArgumentNullException>("keys", () => new KeyRing([new ChainKey("a", MaterialA), null!]));
        var none = Assert.Throws<ArgumentException>("keys", () => new KeyRing([]));
        Assert.StartsWith("A key ring needs at least one key.", none.Message, StringComparison.Ordinal);

        var twice = Assert.Throws<ArgumentException>("keys", () => new KeyRing([new ChainKey("a", MaterialA), new ChainKey("a", MaterialB)]));
        Assert.StartsWith("Key id 'a' appears twice in the key ring.", twice.Message, StringComparison.Ordinal);

        var unknown = Assert.Throws<ArgumentException>("currentKeyId", () => new KeyRing([new ChainKey("a", MaterialA)], "b"));
        Assert.StartsWith("The current key id 'b' is not in the key ring.", unknown.Message, StringComparison.Ordinal);

        var ring = new KeyRing([new ChainKey("a", MaterialA), new ChainKey("b", MaterialB)], "a");
        Assert.Equal("a", ring.CurrentKey.Id);
    }

    [Fact]
    public void From_options_refuses_null_and_a_secret_that_is_not_base64()
    {
        Assert.Throws<ArgumentNullException>("options", () => KeyRing.FromOptions(null!));
        var options = new RotationEngineOptions();
        options.Keys.Add(new KeyOptions { Id = "a", Secret = "not base64!" });
        var invalid = Assert.Throws<ArgumentException>("key", () => KeyRing.FromOptions(options));
        Assert.StartsWith("Keys['a'].Secret is not valid base64.", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_refuses_a_null_or_invalid_id_and_short_material_with_what_is_required()
    {
        Assert.Throws<ArgumentNullException>("id", () => new ChainKey(null!, MaterialA));
        var invalid = Assert.Throws<ArgumentException>("id", () => new ChainKey("a b", MaterialA));
        Assert.StartsWith("A key id is 1 to 64 characters of letters, digits, '.', '_' or '-'.", invalid.Message, StringComparison.Ordinal);
        var shorter = Assert.Throws<ArgumentException>("id", () => new ChainKey("k", MaterialA.AsSpan(0, 31)));
        Assert.StartsWith("Key 'k' has 31 bytes of material; at least 32 are required.", shorter.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_sub_key_is_HMAC_SHA_256_under_HKDF_of_the_material_with_its_own_label()
    {
        var key = new ChainKey("k", MaterialA);
        foreach (var (subKey, label) in new[] { (key.Chain, "chain"), (key.Token, "token"), (key.Seal, "seal") })
        {
            var derived = System.Security.Cryptography.HKDF.DeriveKey(System.Security.Cryptography.HashAlgorithmName.SHA256, MaterialA, 32, "RotationEngine v2"u8.ToArray(), System.Text.Encoding.ASCII.GetBytes(label));
            var mac = new byte[32];
            subKey.Compute("data"u8, mac);
            Assert.Equal(System.Security.Cryptography.HMACSHA256.HashData(derived, "data"u8), mac);
        }
    }

    [Fact]
    public void A_key_names_its_id_and_fingerprint()
    {
        // Golden: the fingerprint is HKDF of the material, so fixed material has this fingerprint in every release.
        var key = new ChainKey("primary", MaterialA);
        Assert.Equal("ChainKey primary (2b72d86e)", key.ToString());
    }
}
