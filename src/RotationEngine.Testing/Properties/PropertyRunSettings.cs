using System.Globalization;
using FsCheck;
using Microsoft.FSharp.Core;

namespace RotationEngine.Testing;

/// <summary>How many cases the properties run and which seed they start from, from environment variables so
/// that a soak or a replay needs no code change.</summary>
public static class PropertyRunSettings
{
    /// <summary>Multiplies the number of generated cases of every property (default 1), e.g. 20 for a soak.</summary>
    public const string ScaleVariable = "ROTATION_PROPERTY_SCALE";

    /// <summary>Sets the number of generated cases of every property, overriding its default.</summary>
    public const string MaxTestVariable = "ROTATION_PROPERTY_MAXTEST";

    /// <summary>Replays a failure: the <c>seed,gamma</c> (or <c>seed,gamma,size</c>) a failure message printed.</summary>
    public const string ReplayVariable = "ROTATION_PROPERTY_REPLAY";

    /// <summary>The number of cases to run for a property whose default is <paramref name="defaultCount"/>.</summary>
    public static int Cases(int defaultCount)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable(MaxTestVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var fixedCount) && fixedCount > 0)
        {
            return fixedCount;
        }

        return int.TryParse(Environment.GetEnvironmentVariable(ScaleVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var scale) && scale > 0
            ? defaultCount * scale
            : defaultCount;
    }

    /// <summary>The replay requested through <see cref="ReplayVariable"/>, if any.</summary>
    internal static FSharpOption<Replay>? Replay()
    {
        var text = Environment.GetEnvironmentVariable(ReplayVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var parts = text.Trim().Trim('(', ')').Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is < 2 or > 3
            || !ulong.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
            || !ulong.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var gamma))
        {
            throw new InvalidOperationException($"{ReplayVariable} must be 'seed,gamma' or 'seed,gamma,size' as a failure printed it.");
        }

        var size = parts.Length == 3 && int.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var s)
            ? FSharpOption<int>.Some(s)
            : FSharpOption<int>.None;
        return FSharpOption<Replay>.Some(new Replay(new Rnd(seed, gamma), size));
    }
}
