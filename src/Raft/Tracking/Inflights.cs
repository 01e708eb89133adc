namespace OrleansRaft.Raft.Tracking;

/// <summary>
/// The last indices of AppendEntries sent to one follower and not yet acknowledged: a ring buffer that bounds
/// pipelining so a slow follower never makes the leader queue without limit.
/// </summary>
internal sealed class Inflights(int capacity)
{
    private readonly long[] buffer = new long[capacity];
    private int start;

    public int Count { get; private set; }

    public bool Full => Count == buffer.Length;

    public void Add(long lastIndex)
    {
        if (Full)
        {
            throw new InvalidOperationException("in-flight window is full");
        }

        buffer[(start + Count) % buffer.Length] = lastIndex;
        Count++;
    }

    /// <summary>Frees every message whose last index is at or below <paramref name="index"/>.</summary>
    public void FreeLE(long index)
    {
        while (Count > 0 && buffer[start] <= index)
        {
            start = (start + 1) % buffer.Length;
            Count--;
        }
    }

    /// <summary>Frees the oldest slot: the window was full and the follower answered a heartbeat, so
    /// some of those messages were likely lost and a retry must be able to go out.</summary>
    public void FreeFirstOne()
    {
        if (Count > 0)
        {
            FreeLE(buffer[start]);
        }
    }

    public void Reset()
    {
        start = 0;
        Count = 0;
    }
}
