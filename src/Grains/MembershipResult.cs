using OrleansRaft.Raft;

namespace OrleansRaft.Grains;

/// <summary>The outcome of <see cref="RaftReplicaGrain.ChangeMembership"/>.</summary>
public sealed record MembershipResult(MembershipStatus Status)
{
    /// <summary>For <see cref="MembershipStatus.NotLeader"/>: the leader this replica knows of, or 0.</summary>
    public long LeaderHint { get; init; }

    /// <summary>For <see cref="MembershipStatus.Refused"/>: the core's reason (AlreadyMember, NotMember, LastVoter, ChangeInProgress...).</summary>
    public ProposeStatus Reason { get; init; }

    /// <summary>Voters and learners once the change committed.</summary>
    public long[] Voters { get; init; } = [];

    public long[] Learners { get; init; } = [];

    public string? Detail { get; init; }
}
