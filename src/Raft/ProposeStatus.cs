namespace OrleansRaft.Raft;

public enum ProposeStatus
{
    Accepted,

    /// <summary>This node is not the leader; <see cref="ProposeResult.LeaderHint"/> names the one it knows, if any.</summary>
    NotLeader,

    /// <summary>The leader is handing leadership over (thesis §3.10) and takes no new work meanwhile.</summary>
    TransferInProgress,

    /// <summary>
    /// A membership change: the previous one is not committed yet. One server at a time, and only from a committed
    /// configuration, or two changes could overlap into disjoint majorities (thesis §4.1). Retry once it commits.
    /// </summary>
    ChangeInProgress,

    /// <summary>
    /// A membership change: this leader has not yet committed an entry of its own term (its no-op). Until it has, a
    /// configuration entry of an earlier leader may still be uncommitted and lost, and a new one appended now could
    /// form disjoint majorities with it (the fix to single-server changes posted to the Raft list, 2015). Retry shortly.
    /// </summary>
    TermNotCommitted,

    /// <summary>A membership change adds a server that is already a voter or learner.</summary>
    AlreadyMember,

    /// <summary>A membership change removes or promotes a server that is not in the configuration.</summary>
    NotMember,

    /// <summary>A promotion names a server that is already a voter.</summary>
    NotLearner,

    /// <summary>A removal would leave no voter: nobody could ever commit or be elected again.</summary>
    LastVoter,
}
