namespace OrleansRaft.Raft;

/// <summary>A point-in-time view of one replica, for status pages, logs and tests.</summary>
public sealed record RaftStatus(
    long Id,
    Role Role,
    long Term,
    long Vote,
    long Leader,
    long CommitIndex,
    long AppliedIndex,
    long FirstIndex,
    long LastIndex,
    Configuration Configuration,
    IReadOnlyDictionary<long, FollowerStatus> Followers);
