using FsCheck;
using FsCheck.Fluent;
using RotationEngine.Testing.Model;

namespace RotationEngine.Testing.Generators;

/// <summary>Generators of valid policies that reach the interesting cases: strict rotation and grace windows from
/// a millisecond to an hour (and just under the token lifetime, where a retired token can expire inside its window), depth 1 to 3 (sometimes 8), replay limits, binding that revokes or not,
/// lifetimes from a second to weeks, and tiny generation limits.</summary>
internal static class PolicyGenerators
{
    private const long Day = 86_400_000;

    public static Gen<RotationPolicy> Policy { get; } =
        from tokenLifetime in Gen.Elements(1_000L, 2_000L, 5_000L, 30_000L, 600_000L, 14 * Day)
        from familyLifetime in Gen.Elements(1_000L, 3_000L, 10_000L, 120_000L, 90 * Day)
        from strict in Gen.Frequency((3, Gen.Constant(true)), (7, Gen.Constant(false)))
        from window in Gen.Elements(1L, 10L, 500L, 2_000L, 10_000L, 60_000L, long.MaxValue)
        from depth in Gen.Frequency((5, Gen.Constant(1)), (4, Gen.Choose(2, 3)), (1, Gen.Constant(RotationPolicy.MaxGraceDepth)))
        from maxReplays in Gen.Frequency((5, Gen.Constant<int?>(null)), (5, Gen.Choose(1, 3).Select(n => (int?)n)))
        from bindingRevokes in Gen.Elements(true, false)
        from maxGenerations in Gen.Frequency((7, Gen.Constant(RotationPolicy.DefaultMaxGenerations)), (3, Gen.Choose(1, 6)))
        select new RotationPolicy
        {
            TokenLifetime = TimeSpan.FromMilliseconds(tokenLifetime),
            FamilyLifetime = TimeSpan.FromMilliseconds(familyLifetime),
            GraceWindow = strict ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Min(window, Math.Min(tokenLifetime - 1, 3_600_000))),
            GraceDepth = depth,
            GraceMaxReplays = maxReplays,
            BindingMismatchRevokes = bindingRevokes,
            MaxGenerations = maxGenerations,
        };

    /// <summary>Settings for a run: generated policies, or <paramref name="fixedPolicy"/> for both clients.</summary>
    public static Gen<ModelSettings> Settings(RotationPolicy? fixedPolicy) =>
        from web in fixedPolicy is null ? Policy : Gen.Constant(fixedPolicy)
        from spa in fixedPolicy is null ? Policy : Gen.Constant(fixedPolicy)
        from retention in Gen.Elements(0L, 1_000L, 60_000L, 7 * Day)
        from batch in Gen.Elements(1, 2, 1_000)
        select new ModelSettings
        {
            WebPolicy = web,
            SpaPolicy = spa,
            Retention = TimeSpan.FromMilliseconds(retention),
            PruneBatchSize = batch,
        };
}
