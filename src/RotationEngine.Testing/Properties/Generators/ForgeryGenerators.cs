using FsCheck;
using FsCheck.Fluent;
using RotationEngine.Tokens;

namespace RotationEngine.Testing.Generators;

/// <summary>Random strings for the forgery property: empty, short, token-shaped (the right prefix and length
/// in the token alphabet), huge, and arbitrary Unicode.</summary>
internal static class ForgeryGenerators
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    public static Gen<string> RandomText { get; } = Gen.Frequency(
        (1, Gen.Constant("")),
        (3, Gen.Choose(1, 30).SelectMany(n => Gen.Choose(32, 126).ArrayOf(n)).Select(Chars)),
        (4, Gen.Choose(0, 63).ArrayOf(TokenFormat.Length - 4).Select(indexes => TokenFormat.Prefix + new string(indexes.Select(i => Alphabet[i]).ToArray()))),
        (1, Gen.Choose(0, 0xD7FF).ArrayOf(TokenFormat.Length).Select(Chars)),
        (1, Gen.Choose(0xD800, 0xDFFF).ArrayOf(TokenFormat.Length).Select(Chars)),
        (1, Gen.Choose(100, 5_000).Select(n => TokenFormat.Prefix + new string('A', n))));

    private static string Chars(int[] codes) => new(codes.Select(c => (char)c).ToArray());
}
