using RotationEngine.Benchmarks.InMemory;

namespace RotationEngine.Benchmarks.Infrastructure;

/// <summary>
/// Runs one in-memory scenario in a plain loop for a while, for a profiler to attach to
/// (<c>dotnet-trace collect -- dotnet RotationEngine.Benchmarks.dll --profile rotate 20</c>). Prints the rate.
/// </summary>
internal static class ProfileLoop
{
    /// <summary>The engine's rotation steps called directly, without its async layers, telemetry and result.</summary>
    private static Func<bool> ManualRotation()
    {
        var store = new Storage.InMemoryFamilyStore();
        var engine = EngineFixture.Create(store);
        var token = engine.IssueAsync(EngineFixture.Subject, EngineFixture.Rolling).AsTask().GetAwaiter().GetResult().Token;
        return () =>
        {
            Internal.TokenCodec.TryParse(token, out var parsed);
            var now = DateTimeOffset.FromUnixTimeMilliseconds(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds());
            var next = default(Internal.SecretBuffer);
            Internal.HashChain.DeriveChild(EngineFixture.Key, parsed.FamilyId, parsed.Generation + 1, parsed.Secret, next);
            var command = new Storage.RotationCommand(parsed.FamilyId, parsed.Generation, Internal.HashChain.Digest(parsed.Secret),
                Internal.HashChain.Digest(next), EngineFixture.Key.Id, null, now, Storage.GraceLedger.NewSlot(now));
            var family = store.TryRotateAsync(command).Result!;
            token = Internal.TokenCodec.Format(family.Id, family.Generation, next);
            return true;
        };
    }

    public static Func<bool> Step(InMemoryRotationBenchmarks benchmarks, string scenario) => scenario switch
    {
        "rotate" => () => benchmarks.Rotate().IsCompletedSuccessfully,
        "rotate-cold" => () => benchmarks.RotateColdFamilies().IsCompletedSuccessfully,
        "inspect" => () => benchmarks.Inspect().IsCompletedSuccessfully,
        "replay" => () => benchmarks.GraceReplay().IsCompletedSuccessfully,
        "malformed" => () => benchmarks.RejectMalformed().IsCompletedSuccessfully,
        "forged" => () => benchmarks.RejectForged().IsCompletedSuccessfully,
        "cpu" => benchmarks.CpuLimitReused,
        "cpu-oneshot" => benchmarks.CpuLimitOneShot,
        "manual" => ManualRotation(),
        _ => throw new ArgumentException($"Unknown scenario '{scenario}': rotate, rotate-cold, inspect, replay, malformed, forged, cpu, cpu-oneshot or manual.", nameof(scenario)),
    };

    public static int Run(string scenario, int seconds)
    {
        var benchmarks = new InMemoryRotationBenchmarks();
        benchmarks.Setup();
        var step = Step(benchmarks, scenario);

        var time = TimeProvider.System;
        var process = System.Diagnostics.Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var pausedBefore = GC.GetTotalPauseDuration();
        var gen0Before = GC.CollectionCount(0);
        var started = time.GetTimestamp();
        long operations = 0;
        while (time.GetElapsedTime(started).TotalSeconds < seconds)
        {
            for (var i = 0; i < 1000; i++)
            {
                step();
            }

            operations += 1000;
        }

        var elapsed = time.GetElapsedTime(started);
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        benchmarks.Cleanup();
        // On a shared machine the wall-clock rate moves with the load; the CPU-time rate (this process's CPU
        // time, GC threads included) moves much less.
        Console.WriteLine($"{scenario}: {operations:N0} operations; {operations / elapsed.TotalSeconds:N0}/s wall clock, "
            + $"{operations / cpu.TotalSeconds:N0}/s of CPU time ({1e9 * cpu.TotalSeconds / operations:N0} ns CPU each); "
            + $"{GC.CollectionCount(0) - gen0Before} gen-0 collections, {(GC.GetTotalPauseDuration() - pausedBefore).TotalMilliseconds:N0} ms paused");
        return 0;
    }
}
