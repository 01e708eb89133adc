namespace OrleansRaft.Bench.Targets;

/// <summary>One node's Raft state as it reports it: its role, its term and the leader it follows (node number, 0 for none).</summary>
public readonly record struct NodeStatus(int Node, string Role, long Term, int Leader)
{
    public bool IsLeader => Role == "leader";
}
