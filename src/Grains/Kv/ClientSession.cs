namespace OrleansRaft.Grains.Kv;

/// <summary>The replies a client may still ask for again, and when (in log time) it was last heard from.</summary>
internal sealed class ClientSession
{
    public SortedDictionary<long, KvResult> Replies { get; } = [];

    public long LowestUnanswered { get; set; }

    public long LastActive { get; set; }

    /// <summary>A deep copy: a snapshot must not see replies added after it was taken.</summary>
    public ClientSession Copy()
    {
        var copy = new ClientSession { LowestUnanswered = LowestUnanswered, LastActive = LastActive };
        foreach (var (sequence, reply) in Replies)
        {
            copy.Replies[sequence] = reply;
        }

        return copy;
    }
}
