using Spectre.Console;

namespace OrleansRaft.Bench.Progress;

/// <summary>
/// One Spectre.Console progress display on stderr, shared by every <see cref="ProgressTicker"/> alive: Spectre allows
/// one live display at a time, and nested tickers (a whole experiment, one phase of it) become rows of the same
/// display. stdout stays free for the markdown report. On a terminal the bars redraw in place; otherwise Spectre
/// prints the rows at 25/50/75/95..100%.
/// </summary>
public static class ProgressDisplay
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly IAnsiConsole Error = CreateConsole();
    private static int users;
    private static ProgressContext? context;
    private static TaskCompletionSource? finished;
    private static Task? display;

    /// <summary>Characters a row's text may take so the bar, percentage and clock keep their room on one line.</summary>
    public static int DescriptionWidth => Math.Max(20, Error.Profile.Width - 48);

    // Redirected stderr (a log file, CI) gets plain text: no escape codes, Spectre's milestone lines instead of
    // redraws, and no 80-column limit to cut the status short.
    private static IAnsiConsole CreateConsole()
    {
        var redirected = Console.IsErrorRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected)
        {
            console.Profile.Width = 200;
        }

        return console;
    }

    /// <summary>A line of text on stderr, above the bars while they are shown.</summary>
    public static void WriteLine(string line)
    {
        if (Volatile.Read(ref context) is not null)
        {
            Error.WriteLine(line);
        }
        else
        {
            Console.Error.WriteLine(line);
        }
    }

    /// <summary>Adds a row, starting the display if it is the first; every row must be handed back to <see cref="RemoveAsync"/>.</summary>
    public static async Task<ProgressTask> AddAsync(string description, bool indeterminate)
    {
        await Gate.WaitAsync();
        try
        {
            if (users++ == 0)
            {
                var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var done = finished.Task;
                display = Error.Progress()
                    .AutoClear(true)
                    .HideCompleted(true)
                    .Columns(new SpinnerColumn(), new ProgressBarColumn { Width = 24 }, new PercentageColumn(), new ElapsedTimeColumn(), new TaskDescriptionColumn { Alignment = Justify.Left })
                    .StartAsync(async started =>
                    {
                        Volatile.Write(ref context, started);
                        ready.SetResult();
                        await done;
                    });
                await ready.Task;
            }

            var row = context!.AddTask(description, autoStart: true, maxValue: 1);
            row.IsIndeterminate = indeterminate;
            return row;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Completes a row; the last one ends the display, which clears itself.</summary>
    public static async Task RemoveAsync(ProgressTask row)
    {
        await Gate.WaitAsync();
        try
        {
            row.Value = row.MaxValue;
            row.StopTask();
            if (--users == 0)
            {
                Volatile.Write(ref context, null);
                finished!.SetResult();
                await display!;
                display = null;
            }
        }
        finally
        {
            Gate.Release();
        }
    }
}
