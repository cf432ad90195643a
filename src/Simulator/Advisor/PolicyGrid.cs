using System.Globalization;
using Simulator.Scenarios;

namespace Simulator.Advisor;

/// <summary>
/// The advisor's search space: grace window × depth × max replays × binding, each policy with the lifetimes of the
/// scenario's default policy. Without grace, depth and max replays change nothing, so grace 0 appears once per
/// binding: 6 × 3 × 3 × 2 + 2 = 110 policies.
/// </summary>
internal static class PolicyGrid
{
    public static readonly double[] GraceWindowsSeconds = [0, 1, 2, 5, 10, 30, 60];
    public static readonly int[] Depths = [1, 2, 3];
    public static readonly int?[] MaxReplays = [null, 1, 2];
    public static readonly bool[] Bindings = [false, true];

    public static List<PolicySettings> For(PolicySettings basis)
    {
        var grid = new List<PolicySettings>();
        foreach (var binding in Bindings)
        {
            foreach (var grace in GraceWindowsSeconds)
            {
                foreach (var depth in grace == 0 ? [1] : Depths)
                {
                    foreach (var replays in grace == 0 ? [null] : MaxReplays)
                    {
                        var policy = basis.Clone();
                        policy.Peer = null;
                        policy.GraceWindowSeconds = grace;
                        policy.GraceDepth = depth;
                        policy.GraceMaxReplays = replays;
                        policy.Binding = binding;
                        policy.Name = string.Create(CultureInfo.InvariantCulture, $"g{grace}s-d{depth}-r{replays?.ToString(CultureInfo.InvariantCulture) ?? "any"}{(binding ? "-bound" : "")}");
                        grid.Add(policy);
                    }
                }
            }
        }

        return grid;
    }
}
