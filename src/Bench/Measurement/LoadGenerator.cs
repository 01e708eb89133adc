using System.Diagnostics;
using System.Globalization;

namespace OrleansRaft.Bench.Measurement;

/// <summary>
/// Closed-loop load: N workers each run request → await → next for a warm-up and then a measured window.
/// An operation counts when it completes inside the window: successes add their latency, failures their
/// outcome. At the window's end no new operation starts; running ones get <see cref="LoadOptions.Drain"/>.
/// </summary>
public static class LoadGenerator
{
    public static async Task<LoadResult> RunAsync(LoadOptions options, Func<int, ILoadWorker> createWorker, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Duration, TimeSpan.Zero);
        var workers = Enumerable.Range(0, options.Workers).Select(createWorker).ToArray();
        var stats = workers.Select(_ => new WorkerStats()).ToArray();
        var perSecond = new long[(int)Math.Ceiling(options.Duration.TotalSeconds)];
        var counters = new long[2]; // successes, failures inside the window

        var start = Stopwatch.GetTimestamp();
        var window = new LoadWindow(start + Ticks(options.Warmup), start + Ticks(options.Warmup) + Ticks(options.Duration));
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var lastCount = 0L;
        var lastAt = TimeSpan.Zero;
        string Status(TimeSpan elapsed)
        {
            if (elapsed < options.Warmup)
            {
                return string.Create(CultureInfo.InvariantCulture, $"warm-up {elapsed.TotalSeconds:F0}/{options.Warmup.TotalSeconds:F0} s");
            }

            var count = Interlocked.Read(ref counters[0]);
            var rate = (count - lastCount) / Math.Max(0.001, (elapsed - lastAt).TotalSeconds);
            (lastCount, lastAt) = (count, elapsed);
            var measured = Math.Min((elapsed - options.Warmup).TotalSeconds, options.Duration.TotalSeconds);
            return string.Create(
                CultureInfo.InvariantCulture,
                $"{measured:F0}/{options.Duration.TotalSeconds:F0} s, {rate:N0} ops/s now, {count:N0} ok, {Interlocked.Read(ref counters[1]):N0} errors");
        }

        await using (new ProgressTicker(options.Label, Status))
        {
            var tasks = new Task[workers.Length];
            for (var i = 0; i < workers.Length; i++)
            {
                var (worker, tally) = (workers[i], stats[i]);
                tasks[i] = Task.Run(() => RunWorkerAsync(worker, tally, window, perSecond, counters, drain.Token), CancellationToken.None);
            }

            await CoordinateAsync(options, window, drain, cancellationToken);
            await Task.WhenAll(tasks);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var latencies = new Dictionary<string, LatencyHistogram>();
        var errors = new SortedDictionary<string, long>(StringComparer.Ordinal);
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

            foreach (var (key, count) in tally.Errors)
            {
                errors[key] = errors.GetValueOrDefault(key) + count;
            }
        }

        return new LoadResult(options.Duration, options.Workers, latencies, errors, perSecond);
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

    private static async Task RunWorkerAsync(ILoadWorker worker, WorkerStats stats, LoadWindow window, long[] perSecond, long[] counters, CancellationToken token)
    {
        while (!token.IsCancellationRequested && Stopwatch.GetTimestamp() < window.End)
        {
            var began = Stopwatch.GetTimestamp();
            OperationResult result;
            try
            {
                result = await worker.ExecuteAsync(token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                result = OperationResult.Failure("op", e.GetType().Name);
            }

            var ended = Stopwatch.GetTimestamp();
            if (ended < window.Start || ended >= window.End)
            {
                continue;
            }

            stats.Record(result, (ended - began) * 1_000_000 / Stopwatch.Frequency);
            if (result.Succeeded)
            {
                Interlocked.Increment(ref perSecond[Math.Min(perSecond.Length - 1, (ended - window.Start) / Stopwatch.Frequency)]);
                Interlocked.Increment(ref counters[0]);
            }
            else
            {
                Interlocked.Increment(ref counters[1]);
            }
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
