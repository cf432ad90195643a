using RotationEngine.Keys;
using RotationEngine.Storage;

namespace RotationEngine.Benchmarks.Infrastructure;

/// <summary>
/// Builds engines the way a host would (one key, policies per client), over any store. Client ids select the
/// policy a scenario needs: <see cref="Rolling"/> (defaults with a high generation limit so that long runs never
/// hit it), <see cref="Strict"/> (no grace: every retired token is reuse) and <see cref="Tabs"/> (a wide grace
/// for many callers sharing one family).
/// </summary>
internal static class EngineFixture
{
    public const string Rolling = "rolling";
    public const string Strict = "strict";
    public const string Tabs = "tabs";
    public const string Subject = "user-0001";

    /// <summary>A fixed benchmark key: the chain depends on it, never the measurement.</summary>
    public static byte[] KeyMaterial { get; } = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    public static ChainKey Key { get; } = new("bench-1", KeyMaterial);

    public static RotationPolicy RollingPolicy { get; } = RotationPolicy.Default with
    {
        MaxGenerations = RotationPolicy.MaxGenerationsLimit,
        GraceWindow = TimeSpan.FromHours(1),
    };

    public static RotationPolicy StrictPolicy { get; } = RollingPolicy with { GraceWindow = TimeSpan.Zero };

    public static RotationPolicy TabsPolicy { get; } = RollingPolicy with { GraceDepth = RotationPolicy.MaxGraceDepth };

    public static RefreshTokenEngine Create(IFamilyStore store, TimeProvider? time = null)
    {
        var options = new RotationEngineOptions { DefaultPolicy = RollingPolicy };
        options.ClientPolicies[Rolling] = RollingPolicy;
        options.ClientPolicies[Strict] = StrictPolicy;
        options.ClientPolicies[Tabs] = TabsPolicy;
        return new RefreshTokenEngine(store, options, new KeyRing([Key]), time ?? TimeProvider.System);
    }

    /// <summary>Fails loudly when a scenario does not produce the outcome it claims to measure.</summary>
    public static RotationResult Expect(RotationResult result, RotationOutcome outcome)
    {
        if (result.Outcome != outcome)
        {
            throw new InvalidOperationException($"Benchmark scenario expected {outcome} but got {result.Outcome} ({result.Cause}).");
        }

        return result;
    }
}
