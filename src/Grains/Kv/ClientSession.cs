namespace OrleansRaft.Grains.Kv;

/// <summary>The replies a client may still ask for again, and when (in log time) it was last heard from.</summary>
internal sealed class ClientSession
{
    public SortedDictionary<long, KvResult> Replies { get; } = [];

    public long LowestUnanswered { get; set; }

    public long LastActive { get; set; }
}
