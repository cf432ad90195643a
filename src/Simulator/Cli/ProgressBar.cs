using System.Globalization;

namespace Simulator.Cli;

/// <summary>A progress bar on standard error for long runs: shown only on a terminal, and only once a run
/// has lasted a second, redrawn a few times a second from a background timer (never from the event loop).</summary>
internal sealed class ProgressBar : IDisposable
{
    private readonly Func<double> _fraction;
    private readonly string _label;
    private readonly Timer? _timer;
    private readonly long _started = TimeProvider.System.GetTimestamp();
    private bool _drawn;

    public ProgressBar(string label, Func<double> fraction, bool enabled)
    {
        _label = label;
        _fraction = fraction;
        if (enabled && !Console.IsErrorRedirected)
        {
            _timer = new Timer(_ => Draw(), null, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(250));
        }
    }

    private void Draw()
    {
        var fraction = Math.Clamp(_fraction(), 0, 1);
        const int width = 30;
        var filled = (int)(fraction * width);
        var elapsed = TimeProvider.System.GetElapsedTime(_started).TotalSeconds;
        lock (this)
        {
            Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\r{_label} [{new string('#', filled)}{new string('.', width - filled)}] {fraction * 100,5:0.0}%  {elapsed:0.0}s"));
            _drawn = true;
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        lock (this)
        {
            if (_drawn)
            {
                Console.Error.Write("\r" + new string(' ', 80) + "\r");
            }
        }
    }
}
