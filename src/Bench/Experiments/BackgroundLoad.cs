using System.Diagnostics;

namespace OrleansRaft.Bench.Experiments;

/// <summary>
/// Closed-loop writers (<see cref="SiloWorker"/>s on random keys) running until disposed, counting successes and
/// failures, so a caller can take the write rate over any stretch of time: <see cref="Read"/> at both ends.
/// </summary>
internal sealed class BackgroundLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task[] writers;
    private long succeeded;
    private long failed;

    public BackgroundLoad(SiloWorkload workload, int workers, int firstWorkerIndex)
    {
        writers = [.. Enumerable.Range(firstWorkerIndex, workers).Select(i => Task.Run(() => RunAsync(new SiloWorker(workload, i))))];
    }

    /// <summary>Successful and failed writes so far, and when.</summary>
    public (long Timestamp, long Succeeded, long Failed) Read() =>
        (Stopwatch.GetTimestamp(), Interlocked.Read(ref succeeded), Interlocked.Read(ref failed));

    /// <summary>Successful writes per second between two <see cref="Read"/>s.</summary>
    public static double Rate((long Timestamp, long Succeeded, long Failed) from, (long Timestamp, long Succeeded, long Failed) to) =>
        (to.Succeeded - from.Succeeded) / Math.Max(1e-9, Stopwatch.GetElapsedTime(from.Timestamp, to.Timestamp).TotalSeconds);

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        stop.Dispose();
    }

    private async Task RunAsync(SiloWorker worker)
    {
        for (long operation = 0; !stop.IsCancellationRequested; operation++)
        {
            try
            {
                var result = await worker.ExecuteAsync(operation, stop.Token);
                if (result.Succeeded)
                {
                    Interlocked.Increment(ref succeeded);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
