namespace OrleansRaft.Raft;

public enum ProposeStatus
{
    Accepted,

    /// <summary>This node is not the leader; <see cref="ProposeResult.LeaderHint"/> names the one it knows, if any.</summary>
    NotLeader,

    /// <summary>The leader is handing leadership over (thesis §3.10) and takes no new work meanwhile.</summary>
    TransferInProgress,
}
