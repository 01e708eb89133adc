using System.Diagnostics;
using System.Globalization;
using OrleansRaft.Bench.Progress;

namespace OrleansRaft.Bench.Measurement;

/// <summary>
/// Drives <see cref="ILoadWorker"/>s, one per connection, in one of two ways:
/// <list type="bullet">
/// <item>Closed loop: each worker runs request → await → next. An operation counts when it completes inside the
/// measured window. Latency is from send to answer, so a stall delays the next sends and hides in the percentiles
/// (coordinated omission).</item>
/// <item>Open loop (<see cref="LoadOptions.Rate"/>): operations sit on a fixed timeline, slot k at start + k/rate,
/// spread round-robin over the workers as wrk2 spreads them over connections. A worker waits for its slot, or sends
/// at once when behind; latency runs from the slot's intended start, so time spent queued behind a stall counts.
/// An operation counts when its slot lies inside the window. Slots of the window still due when it closes are sent
/// during the drain; those the drain leaves unsent are errors ("missed").</item>
/// </list>
/// Either runs a warm-up and a timed window, or a fixed number of operations (<see cref="LoadOptions.Operations"/>),
/// all measured. At the window's end no new operation starts; running ones get <see cref="LoadOptions.Drain"/>.
/// </summary>
public static class LoadGenerator
{
    private const int MaxSeconds = 24 * 3600;

    public static async Task<LoadResult> RunAsync(LoadOptions options, Func<int, ILoadWorker> createWorker, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Workers, 1);
        if (options.Operations is { } count)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        }
        else
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Duration, TimeSpan.Zero);
        }

        if (options.Rate is { } rate)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(rate, 0);
        }

        var fixedCount = options.Operations is not null;
        var warmup = fixedCount ? TimeSpan.Zero : options.Warmup;
        var workers = Enumerable.Range(0, options.Workers).Select(createWorker).ToArray();
        var stats = workers.Select(_ => new WorkerStats()).ToArray();
        var perSecond = new long[fixedCount ? MaxSeconds : (int)Math.Ceiling(options.Duration.TotalSeconds)];
        var shared = new LoadCounters();

        var start = Stopwatch.GetTimestamp();
        var windowStart = start + Ticks(warmup);
        var window = new LoadWindow(windowStart, fixedCount ? long.MaxValue : windowStart + Ticks(options.Duration));
        var run = new LoadSchedule(start, window, fixedCount, options.Operations ?? long.MaxValue, options.Rate, options.Workers);
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var lastCount = 0L;
        var lastAt = TimeSpan.Zero;
        var total = warmup + options.Duration;
        string Status(TimeSpan elapsed)
        {
            var ok = Interlocked.Read(ref shared.Succeeded);
            var now = (ok - lastCount) / Math.Max(0.001, (elapsed - lastAt).TotalSeconds);
            (lastCount, lastAt) = (ok, elapsed);
            var errors = Interlocked.Read(ref shared.Failed);
            if (fixedCount)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{Interlocked.Read(ref shared.Completed):N0}/{options.Operations:N0} ops, {now:N0} ops/s now, {errors:N0} errors");
            }

            if (elapsed < warmup)
            {
                return string.Create(CultureInfo.InvariantCulture, $"warm-up {elapsed.TotalSeconds:F0}/{warmup.TotalSeconds:F0} s");
            }

            var measured = Math.Min((elapsed - warmup).TotalSeconds, options.Duration.TotalSeconds);
            return string.Create(CultureInfo.InvariantCulture, $"{measured:F0}/{options.Duration.TotalSeconds:F0} s, {now:N0} ops/s now, {ok:N0} ok, {errors:N0} errors");
        }

        double Fraction(TimeSpan elapsed) => fixedCount
            ? Interlocked.Read(ref shared.Completed) / (double)options.Operations!.Value
            : elapsed / total;

        await using (new ProgressTicker(options.Label, Status, Fraction))
        {
            var tasks = new Task[workers.Length];
            for (var i = 0; i < workers.Length; i++)
            {
                var (index, worker, tally) = (i, workers[i], stats[i]);
                tasks[i] = options.OpenLoop
                    ? Task.Run(() => RunOpenAsync(index, worker, tally, run, perSecond, shared, drain.Token), CancellationToken.None)
                    : Task.Run(() => RunClosedAsync(worker, tally, run, perSecond, shared, drain.Token), CancellationToken.None);
            }

            if (fixedCount)
            {
                if (options.OnWindowStart is { } onStart)
                {
                    await onStart();
                }

                await Task.WhenAll(tasks);
                if (options.OnWindowEnd is { } onEnd)
                {
                    await onEnd();
                }
            }
            else
            {
                await CoordinateAsync(options, window, drain, cancellationToken);
                await Task.WhenAll(tasks);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var latencies = new Dictionary<string, LatencyHistogram>();
        var errorCounts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var sendLag = new LatencyHistogram();
        foreach (var tally in stats)
        {
            foreach (var (kind, histogram) in tally.Latencies)
            {
                if (!latencies.TryGetValue(kind, out var merged))
                {
                    latencies[kind] = merged = new LatencyHistogram();
                }

                merged.Merge(histogram);
            }

            foreach (var (key, n) in tally.Errors)
            {
                errorCounts[key] = errorCounts.GetValueOrDefault(key) + n;
            }

            sendLag.Merge(tally.SendLag);
        }

        var measuredWindow = fixedCount
            ? Stopwatch.GetElapsedTime(start, Math.Max(start + 1, Interlocked.Read(ref shared.LastEnded)))
            : options.Duration;
        var seconds = fixedCount ? (int)Math.Min(MaxSeconds, Math.Ceiling(measuredWindow.TotalSeconds)) : perSecond.Length;
        return new LoadResult(measuredWindow, options.Workers, latencies, errorCounts, perSecond[..Math.Max(1, seconds)], options.OpenLoop ? sendLag : null);
    }

    private static async Task CoordinateAsync(LoadOptions options, LoadWindow window, CancellationTokenSource drain, CancellationToken cancellationToken)
    {
        try
        {
            await DelayUntilAsync(window.Start, cancellationToken);
            if (options.OnWindowStart is { } onStart)
            {
                await onStart();
            }

            await DelayUntilAsync(window.End, cancellationToken);
            if (options.OnWindowEnd is { } onEnd)
            {
                await onEnd();
            }

            drain.CancelAfter(options.Drain);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The workers see the same token and stop.
        }
    }

    private static async Task RunClosedAsync(ILoadWorker worker, WorkerStats stats, LoadSchedule run, long[] perSecond, LoadCounters shared, CancellationToken token)
    {
        while (!token.IsCancellationRequested && Stopwatch.GetTimestamp() < run.Window.End)
        {
            var operation = Interlocked.Increment(ref shared.NextOperation) - 1;
            if (operation >= run.Operations)
            {
                break;
            }

            var began = Stopwatch.GetTimestamp();
            if (await ExecuteAsync(worker, operation, token) is not { } result)
            {
                break;
            }

            var ended = Stopwatch.GetTimestamp();
            if (!run.FixedCount && (ended < run.Window.Start || ended >= run.Window.End))
            {
                continue;
            }

            Tally(stats, result, began, ended, run, perSecond, shared);
        }
    }

    private static async Task RunOpenAsync(int index, ILoadWorker worker, WorkerStats stats, LoadSchedule run, long[] perSecond, LoadCounters shared, CancellationToken token)
    {
        var interval = Stopwatch.Frequency / run.Rate!.Value; // timestamp ticks between two slots of the whole run
        var firstCounted = run.FixedCount ? 0 : (long)Math.Ceiling((run.Window.Start - run.Start) / interval);
        var slotsInWindow = run.FixedCount ? run.Operations : (long)Math.Ceiling((run.Window.End - run.Start) / interval);

        // The drain ran out with slots of the window still unsent (far behind schedule): count them, never drop them.
        void Missed(long from)
        {
            var missed = CountSlots(Math.Max(from, firstCounted), slotsInWindow, index, run.Workers);
            if (missed > 0)
            {
                stats.Fail("op", "missed", missed);
            }
        }

        for (long slot = index; slot < slotsInWindow; slot += run.Workers)
        {
            var intended = run.Start + (long)(slot * interval);
            try
            {
                await DelayUntilAsync(intended, token);
                token.ThrowIfCancellationRequested();
            }
            catch (OperationCanceledException)
            {
                Missed(slot);
                break;
            }

            var sent = Stopwatch.GetTimestamp();
            var counted = slot >= firstCounted;
            if (await ExecuteAsync(worker, slot, token) is not { } result)
            {
                if (counted)
                {
                    stats.Fail("op", "unfinished");
                }

                Missed(slot + run.Workers);
                break;
            }

            var ended = Stopwatch.GetTimestamp();
            if (counted)
            {
                stats.SendLag.Record((sent - intended) * 1_000_000 / Stopwatch.Frequency);
                Tally(stats, result, intended, ended, run, perSecond, shared);
            }
        }
    }

    /// <summary>Slots in [from, to) that belong to worker <paramref name="index"/> of <paramref name="workers"/>.</summary>
    private static long CountSlots(long from, long to, int index, int workers)
    {
        long first = from + (((index - from) % workers) + workers) % workers;
        return first >= to ? 0 : ((to - 1 - first) / workers) + 1;
    }

    /// <summary>One operation; null when the run's token stopped it.</summary>
    private static async ValueTask<OperationResult?> ExecuteAsync(ILoadWorker worker, long operation, CancellationToken token)
    {
        try
        {
            return await worker.ExecuteAsync(operation, token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception e)
        {
            return OperationResult.Failure("op", e.GetType().Name);
        }
    }

    private static void Tally(WorkerStats stats, OperationResult result, long from, long ended, LoadSchedule run, long[] perSecond, LoadCounters shared)
    {
        stats.Record(result, (ended - from) * 1_000_000 / Stopwatch.Frequency);
        InterlockedMax(ref shared.LastEnded, ended);
        Interlocked.Increment(ref shared.Completed);
        if (result.Succeeded)
        {
            var second = Math.Clamp((ended - run.Window.Start) / Stopwatch.Frequency, 0, perSecond.Length - 1);
            Interlocked.Increment(ref perSecond[second]);
            Interlocked.Increment(ref shared.Succeeded);
        }
        else
        {
            Interlocked.Increment(ref shared.Failed);
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private static async Task DelayUntilAsync(long timestamp, CancellationToken cancellationToken)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
