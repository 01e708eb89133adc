namespace OrleansRaft.Raft;

/// <summary>State that must be durable before any message that depends on it is sent (Figure 2).</summary>
public readonly record struct HardState(long Term, long Vote, long Commit)
{
    public static readonly HardState Empty = new(0, RaftNode.None, 0);
}
