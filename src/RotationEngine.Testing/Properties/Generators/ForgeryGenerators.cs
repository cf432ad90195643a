using FsCheck;
using FsCheck.Fluent;

namespace RotationEngine.Testing.Generators;

/// <summary>Random strings for the forgery property: empty, short, token-shaped (the right prefix and length
/// in the token alphabet), huge, and arbitrary Unicode.</summary>
internal static class ForgeryGenerators
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    public static Gen<string> RandomText { get; } = Gen.Frequency(
        (1, Gen.Constant("")),
        (3, Gen.Choose(1, 30).SelectMany(n => Gen.Choose(32, 126).ArrayOf(n)).Select(Chars)),
        (4, Gen.Choose(0, 63).ArrayOf(75).Select(indexes => "rt1_" + new string(indexes.Select(i => Alphabet[i]).ToArray()))),
        (1, Gen.Choose(0, 0xD7FF).ArrayOf(79).Select(Chars)),
        (1, Gen.Choose(100, 5_000).Select(n => "rt1_" + new string('A', n))));

    private static string Chars(int[] codes) => new(codes.Select(c => (char)c).ToArray());
}
