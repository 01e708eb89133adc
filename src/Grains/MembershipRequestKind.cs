namespace OrleansRaft.Grains;

/// <summary>What an operator asks of a group's membership: one server at a time (thesis §4.1).</summary>
public enum MembershipRequestKind
{
    /// <summary>Joins as a learner, catches up, then is promoted (thesis §4.2.1).</summary>
    AddVoter,

    /// <summary>Joins as a learner and stays one: it gets the log but never votes.</summary>
    AddLearner,

    /// <summary>Leaves the configuration, voter or learner; a leader that removes itself steps down once it commits.</summary>
    Remove,
}
