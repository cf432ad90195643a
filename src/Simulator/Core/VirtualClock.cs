namespace Simulator.Core;

/// <summary>The simulation's time in whole milliseconds since <see cref="Epoch"/>. Only the event loop moves it.</summary>
internal sealed class VirtualClock
{
    /// <summary>Virtual time zero.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public long NowMs { get; set; }

    public static DateTimeOffset ToDateTime(long ms) => new(Epoch.Ticks + ms * TimeSpan.TicksPerMillisecond, TimeSpan.Zero);

    public static long ToMs(DateTimeOffset time) => (time.Ticks - Epoch.Ticks) / TimeSpan.TicksPerMillisecond;

    /// <summary>A compact rendering of a virtual time for traces: days, then time of day.</summary>
    public static string Format(long ms) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"d{ms / 86_400_000}+{TimeSpan.FromMilliseconds(ms % 86_400_000):hh\\:mm\\:ss\\.fff}");
}

/// <summary>One engine instance's view of the virtual clock, shifted by that instance's clock offset.</summary>
internal sealed class InstanceTimeProvider(VirtualClock clock, long offsetMs) : TimeProvider
{
    public long OffsetMs { get; } = offsetMs;

    public long NowMs => clock.NowMs + OffsetMs;

    public override DateTimeOffset GetUtcNow() => VirtualClock.ToDateTime(clock.NowMs + OffsetMs);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => (clock.NowMs + OffsetMs) * TimeSpan.TicksPerMillisecond;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
}
