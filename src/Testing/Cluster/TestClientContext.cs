using System.Collections.Concurrent;

namespace OrleansRaft.Testing.Cluster;

/// <summary>
/// Where a <see cref="TestCluster"/>'s client code runs. Awaits in client code resume through this context, which
/// only queues them; the cluster runs the queue while it settles and counts the cluster settled only once the
/// queue is empty. So virtual time never moves while a client could act now: a reply produced at virtual time T
/// reaches its caller at T, not after a timeout the clock ran into while a thread-pool thread was late.
/// </summary>
public sealed class TestClientContext : SynchronizationContext
{
    private readonly ConcurrentQueue<(SendOrPostCallback Callback, object? State)> queue = new();

    /// <summary>Whether client work is waiting to run.</summary>
    public bool HasWork => !queue.IsEmpty;

    public override void Post(SendOrPostCallback d, object? state) => queue.Enqueue((d, state));

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("client code of a test cluster must not wait synchronously: it runs on the cluster's turn");

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Starts <paramref name="client"/> in this context: it runs now, up to its first await, and resumes here.</summary>
    public Task Run(Func<Task> client) => Run(async () =>
    {
        await client();
        return true;
    });

    /// <inheritdoc cref="Run(Func{Task})"/>
    public Task<T> Run<T>(Func<Task<T>> client)
    {
        if (Current == this)
        {
            return client();
        }

        var previous = Current;
        SetSynchronizationContext(this);
        try
        {
            return client();
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }

    /// <summary>
    /// Runs the client work queued so far; returns how many items ran. What that work queues waits for the next
    /// call, so a client that never lets the clock move meets the cluster's settle-round limit instead of a hang.
    /// </summary>
    internal int RunPending()
    {
        var previous = Current;
        SetSynchronizationContext(this);
        try
        {
            var ran = 0;
            for (var queued = queue.Count; ran < queued && queue.TryDequeue(out var item); ran++)
            {
                item.Callback(item.State);
            }

            return ran;
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }
}
