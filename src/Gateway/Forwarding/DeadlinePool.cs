using System.Collections.Concurrent;

namespace OrleansRaft.Gateway.Forwarding;

/// <summary>Reuses the per-request deadline token sources: every request needs one, few ever fire.</summary>
internal sealed class DeadlinePool(TimeSpan deadline)
{
    private const int MaxPooled = 1024;
    private readonly ConcurrentBag<CancellationTokenSource> pool = [];
    private int pooled;

    public TimeSpan Deadline { get; } = deadline;

    /// <summary>A source that cancels <see cref="Deadline"/> from now.</summary>
    public CancellationTokenSource Rent()
    {
        if (pool.TryTake(out var source))
        {
            Interlocked.Decrement(ref pooled);
        }
        else
        {
            source = new CancellationTokenSource();
        }

        source.CancelAfter(Deadline);
        return source;
    }

    public void Return(CancellationTokenSource source)
    {
        // TryReset stops the timer and fails once the deadline fired: such a source cannot be reused.
        if (source.TryReset())
        {
            if (Interlocked.Increment(ref pooled) <= MaxPooled)
            {
                pool.Add(source);
                return;
            }

            Interlocked.Decrement(ref pooled);
        }

        source.Dispose();
    }
}
