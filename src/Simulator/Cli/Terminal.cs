using Simulator.Simulation;
using Spectre.Console;

namespace Simulator.Cli;

/// <summary>
/// Console output through Spectre.Console: a live progress display on standard error for long runs (only on an
/// interactive terminal; never when standard error is redirected, in CI, or with <c>--quiet</c>), and a console
/// for tables on the output writer that uses colour and the terminal's width only on a terminal (Spectre honours
/// <c>NO_COLOR</c>); redirected output gets plain text 200 columns wide, so that CI logs keep one row per line.
/// </summary>
internal static class Terminal
{
    /// <summary>The width of tables when the output is not a terminal.</summary>
    public const int RedirectedWidth = 200;

    /// <summary>A Spectre console writing to <paramref name="output"/>.</summary>
    public static IAnsiConsole For(TextWriter output)
    {
        var terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }

    /// <summary>Runs <paramref name="work"/> on another thread while a progress bar follows
    /// <paramref name="progress"/> on standard error.</summary>
    public static T WithProgress<T>(string label, RunProgress progress, bool enabled, Func<T> work)
    {
        if (!enabled || Console.IsErrorRedirected)
        {
            return work();
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (!console.Profile.Capabilities.Interactive)
        {
            return work();
        }

        T result = default!;
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(label), maxValue: 1);
                var running = Task.Run(work);
                while (!running.Wait(TimeSpan.FromMilliseconds(200)))
                {
                    task.Value = progress.Fraction;
                }

                task.Value = 1;
                result = running.GetAwaiter().GetResult();
            });
        return result;
    }
}
