namespace OrleansRaft.Raft;

/// <summary>What a <see cref="MembershipChange"/> does to the configuration: one server at a time (thesis §4.1).</summary>
public enum MembershipChangeKind
{
    /// <summary>A new server joins as a voter at once (prefer <see cref="AddLearner"/> and promote it once caught up).</summary>
    AddVoter,

    /// <summary>A new server joins as a learner: it receives the log but neither votes nor counts toward a quorum (thesis §4.2.1).</summary>
    AddLearner,

    /// <summary>A learner becomes a voter, typically once its match index is close to the leader's commit index.</summary>
    PromoteLearner,

    /// <summary>A voter or learner leaves the group; a leader that removes itself steps down once that commits (thesis §4.2.2).</summary>
    RemoveNode,
}
