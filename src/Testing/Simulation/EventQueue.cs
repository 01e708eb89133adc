namespace OrleansRaft.Testing.Simulation;

/// <summary>The virtual clock and the future: events ordered by (time, sequence number).</summary>
public sealed class EventQueue
{
    private readonly PriorityQueue<SimEvent, (long Time, long Sequence)> queue = new(EventKeyComparer.Instance);
    private long sequence;

    /// <summary>Virtual time in milliseconds: the time of the event being handled.</summary>
    public long Now { get; private set; }

    public int Count => queue.Count;

    public void Schedule(long delayMs, SimEvent e)
    {
        if (delayMs < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(delayMs), delayMs, "events cannot be scheduled in the past");
        }

        queue.Enqueue(e, (Now + delayMs, sequence++));
    }

    public bool TryNext(out SimEvent e)
    {
        if (!queue.TryDequeue(out e, out var key))
        {
            return false;
        }

        Now = key.Time;
        return true;
    }
}
