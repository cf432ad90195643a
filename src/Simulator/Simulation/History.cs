using System.Globalization;
using RotationEngine;
using Simulator.Core;

namespace Simulator.Simulation;

/// <summary>The kind of a history entry, in the style of Jepsen: invocations and their completions
/// (ok, fail, or info when the response was lost and the outcome is unknown), plus server-side facts.</summary>
internal enum EntryType : byte
{
    Invoke,
    Ok,
    Fail,
    Info,
    Serve,
    SignIn,
    Theft,
    Logout,
    Restart,

    /// <summary>The DPoP binding source refused a proof (a replayed one); the engine was not called.</summary>
    ProofRefused,
}

/// <summary>One history entry. Holds simulator-level facts only: never a token or a secret.</summary>
internal readonly record struct HistoryEntry(
    long Time,
    EntryType Type,
    int Process,
    int Family,
    int Generation,
    RotationOutcome Outcome,
    OutcomeCause Cause,
    int ResultGeneration,
    int Instance)
{
    /// <summary>Thieves' process ids start here; honest clients use their client id.</summary>
    public const int ThiefBase = 1_000_000;

    public static string ProcessName(int process) => process >= ThiefBase
        ? string.Create(CultureInfo.InvariantCulture, $"thief-{process - ThiefBase}")
        : process < 0 ? string.Create(CultureInfo.InvariantCulture, $"server-{-process - 1}")
        : string.Create(CultureInfo.InvariantCulture, $"client-{process}");

    /// <summary>One JSON line (Jepsen-style: invoke / ok / fail / info, plus server facts). No token, no secret.</summary>
    public string ToJsonLine() => string.Create(CultureInfo.InvariantCulture,
        $"{{\"time\":{Time},\"type\":\"{Type.ToString().ToLowerInvariant()}\",\"process\":\"{ProcessName(Process)}\",\"family\":{Family},\"generation\":{Generation},\"outcome\":\"{(Type is EntryType.Ok or EntryType.Fail or EntryType.Serve or EntryType.Logout ? Outcome.ToString() : "")}\",\"cause\":\"{(Type is EntryType.Fail or EntryType.Serve ? Cause.ToString() : "")}\",\"resultGeneration\":{ResultGeneration},\"instance\":{Instance}}}");

    public override string ToString()
    {
        var time = VirtualClock.Format(Time);
        var who = ProcessName(Process);
        return Type switch
        {
            EntryType.Invoke => $"{time} {who} invoke refresh family#{Family} gen {Generation} via instance {Instance}",
            EntryType.Ok => $"{time} {who} ok      {Outcome} family#{Family} gen {Generation} -> gen {ResultGeneration}",
            EntryType.Fail => $"{time} {who} fail    {Outcome} ({Cause}) family#{Family} gen {Generation}",
            EntryType.Info => $"{time} {who} info    refresh family#{Family} gen {Generation}: no response (outcome unknown)",
            EntryType.Serve => $"{time} instance {Instance} served {who}: family#{Family} gen {Generation} -> {Outcome} ({Cause}) gen {ResultGeneration}",
            EntryType.SignIn => $"{time} {who} sign-in family#{Family}",
            EntryType.Theft => $"{time} {who} steals a copy of family#{Family} gen {Generation}",
            EntryType.Logout => $"{time} {who} logged out of family#{Family} ({Outcome})",
            EntryType.Restart => $"{time} instance {Instance} restarts (engine rebuilt from the store)",
            EntryType.ProofRefused => $"{time} instance {Instance} refused {who}'s DPoP proof (a replay; the engine is not called): family#{Family} gen {Generation}",
            _ => $"{time} {Type}",
        };
    }
}

/// <summary>
/// The run's history: a running hash over every entry (the run's fingerprint), the last entries in a ring
/// (for traces), and optionally all of them.
/// </summary>
internal sealed class History(bool keepAll)
{
    private const int RingSize = 4096;
    private readonly HistoryEntry[] _ring = new HistoryEntry[RingSize];
    private readonly List<HistoryEntry>? _all = keepAll ? [] : null;
    private ulong _hash = 0xCBF29CE484222325UL;

    public long Count { get; private set; }

    public ulong Hash => Mix(_hash ^ (ulong)Count);

    public void Add(in HistoryEntry entry)
    {
        var h = _hash;
        h = Mix(h ^ (ulong)entry.Time);
        h = Mix(h ^ ((ulong)entry.Type | ((ulong)(uint)entry.Process << 8) | ((ulong)entry.Outcome << 40) | ((ulong)entry.Cause << 48)));
        h = Mix(h ^ ((ulong)(uint)entry.Family | ((ulong)(uint)entry.Generation << 32)));
        h = Mix(h ^ ((ulong)(uint)entry.ResultGeneration | ((ulong)(uint)entry.Instance << 32)));
        _hash = h;
        _ring[Count % RingSize] = entry;
        _all?.Add(entry);
        Count++;
    }

    /// <summary>Every entry if kept, otherwise the last few thousand.</summary>
    public IReadOnlyList<HistoryEntry> Entries()
    {
        if (_all is not null)
        {
            return _all;
        }

        var count = (int)Math.Min(Count, RingSize);
        var entries = new List<HistoryEntry>(count);
        for (var i = Count - count; i < Count; i++)
        {
            entries.Add(_ring[i % RingSize]);
        }

        return entries;
    }

    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xFF51AFD7ED558CCDUL;
        x ^= x >> 33;
        x *= 0xC4CEB3F97A4FE1B9UL;
        return x ^ (x >> 33);
    }
}
