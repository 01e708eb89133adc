namespace OrleansRaft.Raft;

/// <summary>A change of one server's membership, proposed with <see cref="RaftNode.ProposeMembership"/>.</summary>
public readonly record struct MembershipChange(MembershipChangeKind Kind, long NodeId)
{
    public static MembershipChange AddVoter(long nodeId) => new(MembershipChangeKind.AddVoter, nodeId);

    public static MembershipChange AddLearner(long nodeId) => new(MembershipChangeKind.AddLearner, nodeId);

    public static MembershipChange PromoteLearner(long nodeId) => new(MembershipChangeKind.PromoteLearner, nodeId);

    public static MembershipChange RemoveNode(long nodeId) => new(MembershipChangeKind.RemoveNode, nodeId);

    public override string ToString() => $"{Kind} {NodeId}";
}
