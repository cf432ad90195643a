using System.Collections.Concurrent;
using System.Globalization;
using RotationEngine;
using RotationEngine.Keys;
using RotationEngine.Storage;
using Simulator.Cli;
using Simulator.Stores;

namespace Simulator.Stress;

/// <summary>
/// Real concurrency: many tasks on real threads rotate a small set of families through one store, sharing
/// each family's current token the way browser tabs share a cookie (and sometimes presenting a retired one).
/// The history is recorded with real-time bounds and checked after the run by <see cref="StressChecker"/>.
/// Not deterministic by nature: it complements the simulation, which is.
/// </summary>
internal static class StressCommand
{
    private sealed class Slot
    {
        public readonly Lock Gate = new();
        public int Family;
        public string Current = "";
        public int Generation;
        public string? Previous;
        public int PreviousGeneration;
    }

    public static async Task<int> RunAsync(CliOptions options, TextWriter output)
    {
        var result = await RunAsync(options.Store, options.Sabotage, options.Threads, options.Families, options.Operations, options.Seed);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stress: {options.Threads} tasks, {options.Families} families at a time, store {options.Store.Kind}{(options.Sabotage == Sabotage.None ? "" : ", sabotage " + SabotageNames.Format(options.Sabotage))}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.History.Count:N0} rotations over {result.FamilyCount:N0} families in {result.Wall.TotalSeconds:0.00} s: {result.History.Count / Math.Max(result.Wall.TotalSeconds, 1e-9):N0} per second; {result.Unknown:N0} with unknown outcome"));
        output.WriteLine("outcomes: " + string.Join(", ", result.History.GroupBy(op => op.Outcome).OrderBy(g => g.Key).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {g.Count():N0}"))));
        if (result.Problems.Count == 0)
        {
            output.WriteLine("checked: single lineage, final revocation, linearizability of every family's chain, store generations: all hold");
            return 0;
        }

        output.WriteLine($"VIOLATIONS ({result.Problems.Count} shown):");
        foreach (var problem in result.Problems)
        {
            output.WriteLine("  " + problem);
        }

        return 1;
    }

    public sealed record StressResult(IReadOnlyList<StressOperation> History, IReadOnlyList<string> Problems, int FamilyCount, long Unknown, TimeSpan Wall);

    public static async Task<StressResult> RunAsync(StoreChoice store, Sabotage sabotage, int threads, int familyCount, int operations, ulong seed)
    {
        using var stores = StoreProviders.Create(store, sabotage, string.Create(CultureInfo.InvariantCulture, $"stress-{seed}"));
        var options = new RotationEngineOptions
        {
            DefaultPolicy = new RotationPolicy { GraceWindow = TimeSpan.FromMilliseconds(50), GraceDepth = 1, TokenLifetime = TimeSpan.FromHours(1) },
        };
        var keyRing = new KeyRing([new ChainKey("stress", System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))]);
        var setupStore = stores.Open();
        var setup = new RefreshTokenEngine(setupStore, options, keyRing);
        var families = new ConcurrentDictionary<int, FamilyId>();
        var nextFamily = 0;
        async Task<Slot> NewSlotAsync(Slot? slot)
        {
            var issued = await setup.IssueAsync("stress-user", "stress");
            var id = Interlocked.Increment(ref nextFamily) - 1;
            families[id] = issued.FamilyId;
            slot ??= new Slot();
            slot.Family = id;
            slot.Current = issued.Token;
            slot.Generation = 0;
            slot.Previous = null;
            return slot;
        }

        var slots = new Slot[familyCount];
        for (var i = 0; i < familyCount; i++)
        {
            slots[i] = await NewSlotAsync(null);
        }

        var history = new ConcurrentQueue<StressOperation>();
        long unknown = 0;
        var unknownFamilies = new ConcurrentDictionary<int, byte>();
        var remaining = operations;
        var started = TimeProvider.System.GetTimestamp();
        var workers = Enumerable.Range(0, threads).Select(worker => Task.Run(async () =>
        {
            var handle = stores.Open();
            try
            {
                var engine = new RefreshTokenEngine(handle, options, keyRing);
                var random = new Random(unchecked((int)seed * 7919 + worker));
                while (Interlocked.Decrement(ref remaining) >= 0)
                {
                    var slot = slots[random.Next(slots.Length)];
                    string token;
                    int family;
                    int generation;
                    lock (slot.Gate)
                    {
                        family = slot.Family;
                        var stale = slot.Previous is not null && random.Next(50) == 0;
                        token = stale ? slot.Previous! : slot.Current;
                        generation = stale ? slot.PreviousGeneration : slot.Generation;
                    }

                    var invoked = TimeProvider.System.GetTimestamp();
                    RotationResult result;
                    try
                    {
                        result = await engine.RotateAsync(token, "stress");
                    }
                    catch (RotationStoreException)
                    {
                        Interlocked.Increment(ref unknown);
                        unknownFamilies[family] = 0;
                        continue;
                    }

                    var completed = TimeProvider.System.GetTimestamp();
                    history.Enqueue(new StressOperation(worker, family, generation, invoked, completed, result.Outcome, result.Generation));
                    var replace = false;
                    lock (slot.Gate)
                    {
                        if (slot.Family != family)
                        {
                            continue;
                        }

                        if (result.Succeeded && result.Generation > slot.Generation)
                        {
                            slot.Previous = slot.Current;
                            slot.PreviousGeneration = slot.Generation;
                            slot.Current = result.Token!;
                            slot.Generation = result.Generation;
                        }
                        else if (!result.Succeeded)
                        {
                            replace = true;
                            slot.Family = -1;
                        }
                    }

                    if (replace)
                    {
                        var issued = await engine.IssueAsync("stress-user", "stress");
                        var id = Interlocked.Increment(ref nextFamily) - 1;
                        families[id] = issued.FamilyId;
                        lock (slot.Gate)
                        {
                            slot.Family = id;
                            slot.Current = issued.Token;
                            slot.Generation = 0;
                            slot.Previous = null;
                        }
                    }
                }
            }
            finally
            {
                stores.Close(handle);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var wall = TimeProvider.System.GetElapsedTime(started);

        var finalGenerations = new Dictionary<int, int>();
        foreach (var (id, familyId) in families)
        {
            if (!unknownFamilies.ContainsKey(id) && await setupStore.FindAsync(familyId) is { } record)
            {
                finalGenerations[id] = record.Generation;
            }
        }

        stores.Close(setupStore);
        var ops = history.ToList();
        return new StressResult(ops, StressChecker.Check(ops, finalGenerations), families.Count, unknown, wall);
    }
}
