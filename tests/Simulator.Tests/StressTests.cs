using RotationEngine;
using Simulator.Stores;
using Simulator.Stress;

namespace Simulator.Tests;

public sealed class StressTests
{
    [Fact]
    public async Task Real_threads_on_a_correct_store_keep_every_checked_property()
    {
        var result = await StressCommand.RunAsync(StoreChoice.Memory, Sabotage.None, threads: 8, familyCount: 16, operations: 20_000, seed: 1);

        Assert.Empty(result.Problems);
        Assert.True(result.History.Count > 19_000);
        Assert.Contains(result.History, op => op.Outcome == RotationOutcome.Rotated);
    }

    [Fact]
    public async Task Real_threads_expose_a_compare_and_swap_that_is_not_atomic()
    {
        var result = await StressCommand.RunAsync(StoreChoice.Memory, Sabotage.LostUpdate, threads: 8, familyCount: 4, operations: 20_000, seed: 1);

        Assert.Contains(result.Problems, p => p.StartsWith("single lineage", StringComparison.Ordinal));
    }

    [Fact]
    public void The_checker_flags_a_second_rotation_of_one_generation()
    {
        StressOperation[] history =
        [
            new(0, 1, 0, 10, 20, RotationOutcome.Rotated, 1),
            new(1, 1, 0, 15, 25, RotationOutcome.Rotated, 1),
        ];

        Assert.Contains(StressChecker.Check(history, new Dictionary<int, int>()), p => p.Contains("rotated twice", StringComparison.Ordinal));
    }

    [Fact]
    public void The_checker_flags_success_after_a_completed_revocation_and_an_impossible_order()
    {
        StressOperation[] history =
        [
            new(0, 1, 0, 10, 20, RotationOutcome.Rotated, 1),
            new(0, 1, 1, 100, 110, RotationOutcome.Rotated, 2),
            new(1, 1, 0, 30, 40, RotationOutcome.ReuseDetected, 2),
            new(2, 1, 1, 50, 60, RotationOutcome.GraceReplay, 1),
            new(3, 2, 1, 10, 20, RotationOutcome.Rotated, 2),
            new(4, 2, 0, 30, 40, RotationOutcome.Rotated, 1),
        ];

        var problems = StressChecker.Check(history, new Dictionary<int, int> { [1] = 2 });

        Assert.Contains(problems, p => p.StartsWith("revocation is final: family #1", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("linearizability: family #2", StringComparison.Ordinal));
    }

    [Fact]
    public void The_checker_accepts_a_clean_concurrent_history()
    {
        StressOperation[] history =
        [
            new(0, 1, 0, 10, 30, RotationOutcome.Rotated, 1),
            new(1, 1, 0, 12, 35, RotationOutcome.GraceReplay, 1),
            new(2, 1, 1, 31, 50, RotationOutcome.Rotated, 2),
            new(3, 1, 1, 40, 45, RotationOutcome.GraceReplay, 1),
        ];

        Assert.Empty(StressChecker.Check(history, new Dictionary<int, int> { [1] = 2 }));
    }
}
