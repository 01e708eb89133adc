using System.Diagnostics;
using Spectre.Console;

namespace OrleansRaft.Bench.Progress;

/// <summary>
/// A progress bar on stderr for anything that may take more than a few seconds: silent for the first second, then
/// a row of <see cref="ProgressDisplay"/> with the fraction done (or a spinner when unknown) and a status line
/// refreshed every second.
/// </summary>
public sealed class ProgressTicker : IAsyncDisposable
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);

    private readonly string label;
    private readonly Func<TimeSpan, string> status;
    private readonly Func<TimeSpan, double>? fraction;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    /// <param name="status">Called once a second with the time since the start; returns what to show after the label.</param>
    /// <param name="fraction">Part done, 0 to 1, from the time since the start; null shows an indeterminate bar.</param>
    public ProgressTicker(string label, Func<TimeSpan, string> status, Func<TimeSpan, double>? fraction = null)
    {
        this.label = label;
        this.status = status;
        this.fraction = fraction;
        loop = RunAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        stop.Dispose();
    }

    private static string Fit(string text) =>
        text.Length <= ProgressDisplay.DescriptionWidth ? text : text[..(ProgressDisplay.DescriptionWidth - 1)] + "…";

    private async Task RunAsync()
    {
        var started = Stopwatch.GetTimestamp();
        ProgressTask? row = null;
        try
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
            var nextStatus = TimeSpan.FromSeconds(1);
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                var elapsed = Stopwatch.GetElapsedTime(started);
                // Status functions may keep rates between calls: call them at an even 1 s pace whether shown or not.
                string? text = null;
                if (elapsed >= nextStatus)
                {
                    nextStatus += TimeSpan.FromSeconds(1);
                    text = Markup.Escape(Fit($"{label}: {status(elapsed)}"));
                }

                if (elapsed < Quiet)
                {
                    continue;
                }

                row ??= await ProgressDisplay.AddAsync(Markup.Escape(Fit(label)), fraction is null);
                if (text is not null)
                {
                    row.Description = text;
                }

                if (fraction is not null)
                {
                    row.Value = Math.Clamp(fraction(elapsed), 0, 1);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
        finally
        {
            if (row is not null)
            {
                await ProgressDisplay.RemoveAsync(row);
            }
        }
    }
}
