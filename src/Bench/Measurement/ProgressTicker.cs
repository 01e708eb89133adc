using System.Diagnostics;

namespace OrleansRaft.Bench.Measurement;

/// <summary>
/// A progress line on stderr for runs longer than a few seconds: silent for the first <see cref="Quiet"/>, then
/// the status every second, rewritten in place on a terminal and as a new line every 5 s when stderr is a file.
/// </summary>
public sealed class ProgressTicker : IAsyncDisposable
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);

    private readonly string label;
    private readonly Func<TimeSpan, string> status;
    private readonly TextWriter output;
    private readonly bool terminal;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private int shownWidth;

    /// <param name="status">Called with the time since the start; returns what to show after the label.</param>
    public ProgressTicker(string label, Func<TimeSpan, string> status, TextWriter? output = null)
    {
        this.label = label;
        this.status = status;
        this.output = output ?? Console.Error;
        terminal = output is null && !Console.IsErrorRedirected;
        loop = RunAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        stop.Dispose();
        if (shownWidth > 0)
        {
            // Leave the terminal line clean for the report that follows.
            await output.WriteAsync("\r" + new string(' ', shownWidth) + "\r");
        }
    }

    private async Task RunAsync()
    {
        var started = Stopwatch.GetTimestamp();
        var period = terminal ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(5);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var lastShown = TimeSpan.Zero;
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                var elapsed = Stopwatch.GetElapsedTime(started);
                // Called every second even when not shown, so rate-keeping status functions see even intervals.
                var text = $"[{label}] {status(elapsed)}";
                if (elapsed < Quiet || elapsed - lastShown < period - TimeSpan.FromMilliseconds(100))
                {
                    continue;
                }

                lastShown = elapsed;
                if (terminal)
                {
                    var padded = text.PadRight(shownWidth);
                    shownWidth = text.Length;
                    await output.WriteAsync("\r" + padded);
                }
                else
                {
                    await output.WriteLineAsync(text);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }
}
