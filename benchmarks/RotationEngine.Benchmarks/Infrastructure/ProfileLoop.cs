using RotationEngine.Benchmarks.InMemory;

namespace RotationEngine.Benchmarks.Infrastructure;

/// <summary>
/// Runs one in-memory scenario in a plain loop for a while, for a profiler to attach to
/// (<c>dotnet-trace collect -- dotnet RotationEngine.Benchmarks.dll --profile rotate 20</c>). Prints the rate.
/// </summary>
internal static class ProfileLoop
{
    /// <summary>The engine's rotation steps called directly, without its async layers, telemetry and result: parse,
    /// verify the tag, derive and MAC the next generation, the store's compare-and-swap, the seal of the record it
    /// returns, and formatting.</summary>
    private static Func<bool> ManualRotation()
    {
        var store = new Storage.InMemoryFamilyStore();
        var engine = EngineFixture.Create(store);
        var token = engine.IssueAsync(EngineFixture.Subject, EngineFixture.Rolling).AsTask().GetAwaiter().GetResult().Token;
        var key = EngineFixture.Key;
        return () =>
        {
            Internal.TokenCodec.TryParse(token, out var parsed);
            var now = DateTimeOffset.FromUnixTimeMilliseconds(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds());
            var digest = new byte[Storage.FamilyColumns.DigestSize];
            var nextDigest = new byte[Storage.FamilyColumns.DigestSize];
            if (!Internal.TokenCrypto.Verify(key, parsed, digest))
            {
                return false;
            }

            var next = default(Internal.SecretBuffer);
            var tag = default(Internal.TagBuffer);
            Internal.TokenCrypto.DeriveChild(key, parsed.FamilyId, parsed.Generation + 1, parsed.Secret, next);
            Internal.TokenCrypto.Mac(key, parsed.FamilyId, parsed.Generation + 1, now.ToUnixTimeMilliseconds(), next, tag, nextDigest);
            var command = new Storage.RotationCommand(parsed.FamilyId, parsed.Generation, digest, nextDigest, key.Id, EngineFixture.Rolling, null,
                Storage.FamilyColumns.Time(parsed.IssuedAt), now, Storage.GraceLedger.NewSlot(now, nextDigest));
            var family = store.TryRotateAsync(command).Result!;
            var sealedRecord = Internal.FamilySeal.Verify(key, family);
            token = Internal.TokenCodec.Format(key.Fingerprint, family.Id, family.Generation, now.ToUnixTimeMilliseconds(), next, tag);
            return sealedRecord;
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
